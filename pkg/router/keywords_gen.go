// Code generated from PostgreSQL 17 src/include/parser/kwlist.h (as vendored by pg_query_go v6); DO NOT EDIT.

package router

// Keyword ids, one per PostgreSQL keyword, in kwlist.h order.
const (
	kwInvalid keywordID = iota
	kwAbort
	kwAbsent
	kwAbsolute
	kwAccess
	kwAction
	kwAdd
	kwAdmin
	kwAfter
	kwAggregate
	kwAll
	kwAlso
	kwAlter
	kwAlways
	kwAnalyse
	kwAnalyze
	kwAnd
	kwAny
	kwArray
	kwAs
	kwAsc
	kwAsensitive
	kwAssertion
	kwAssignment
	kwAsymmetric
	kwAt
	kwAtomic
	kwAttach
	kwAttribute
	kwAuthorization
	kwBackward
	kwBefore
	kwBegin
	kwBetween
	kwBigint
	kwBinary
	kwBit
	kwBoolean
	kwBoth
	kwBreadth
	kwBy
	kwCache
	kwCall
	kwCalled
	kwCascade
	kwCascaded
	kwCase
	kwCast
	kwCatalog
	kwChain
	kwChar
	kwCharacter
	kwCharacteristics
	kwCheck
	kwCheckpoint
	kwClass
	kwClose
	kwCluster
	kwCoalesce
	kwCollate
	kwCollation
	kwColumn
	kwColumns
	kwComment
	kwComments
	kwCommit
	kwCommitted
	kwCompression
	kwConcurrently
	kwConditional
	kwConfiguration
	kwConflict
	kwConnection
	kwConstraint
	kwConstraints
	kwContent
	kwContinue
	kwConversion
	kwCopy
	kwCost
	kwCreate
	kwCross
	kwCsv
	kwCube
	kwCurrent
	kwCurrentCatalog
	kwCurrentDate
	kwCurrentRole
	kwCurrentSchema
	kwCurrentTime
	kwCurrentTimestamp
	kwCurrentUser
	kwCursor
	kwCycle
	kwData
	kwDatabase
	kwDay
	kwDeallocate
	kwDec
	kwDecimal
	kwDeclare
	kwDefault
	kwDefaults
	kwDeferrable
	kwDeferred
	kwDefiner
	kwDelete
	kwDelimiter
	kwDelimiters
	kwDepends
	kwDepth
	kwDesc
	kwDetach
	kwDictionary
	kwDisable
	kwDiscard
	kwDistinct
	kwDo
	kwDocument
	kwDomain
	kwDouble
	kwDrop
	kwEach
	kwElse
	kwEmpty
	kwEnable
	kwEncoding
	kwEncrypted
	kwEnd
	kwEnum
	kwError
	kwEscape
	kwEvent
	kwExcept
	kwExclude
	kwExcluding
	kwExclusive
	kwExecute
	kwExists
	kwExplain
	kwExpression
	kwExtension
	kwExternal
	kwExtract
	kwFalse
	kwFamily
	kwFetch
	kwFilter
	kwFinalize
	kwFirst
	kwFloat
	kwFollowing
	kwFor
	kwForce
	kwForeign
	kwFormat
	kwForward
	kwFreeze
	kwFrom
	kwFull
	kwFunction
	kwFunctions
	kwGenerated
	kwGlobal
	kwGrant
	kwGranted
	kwGreatest
	kwGroup
	kwGrouping
	kwGroups
	kwHandler
	kwHaving
	kwHeader
	kwHold
	kwHour
	kwIdentity
	kwIf
	kwIlike
	kwImmediate
	kwImmutable
	kwImplicit
	kwImport
	kwIn
	kwInclude
	kwIncluding
	kwIncrement
	kwIndent
	kwIndex
	kwIndexes
	kwInherit
	kwInherits
	kwInitially
	kwInline
	kwInner
	kwInout
	kwInput
	kwInsensitive
	kwInsert
	kwInstead
	kwInt
	kwInteger
	kwIntersect
	kwInterval
	kwInto
	kwInvoker
	kwIs
	kwIsnull
	kwIsolation
	kwJoin
	kwJson
	kwJsonArray
	kwJsonArrayagg
	kwJsonExists
	kwJsonObject
	kwJsonObjectagg
	kwJsonQuery
	kwJsonScalar
	kwJsonSerialize
	kwJsonTable
	kwJsonValue
	kwKeep
	kwKey
	kwKeys
	kwLabel
	kwLanguage
	kwLarge
	kwLast
	kwLateral
	kwLeading
	kwLeakproof
	kwLeast
	kwLeft
	kwLevel
	kwLike
	kwLimit
	kwListen
	kwLoad
	kwLocal
	kwLocaltime
	kwLocaltimestamp
	kwLocation
	kwLock
	kwLocked
	kwLogged
	kwMapping
	kwMatch
	kwMatched
	kwMaterialized
	kwMaxvalue
	kwMerge
	kwMergeAction
	kwMethod
	kwMinute
	kwMinvalue
	kwMode
	kwMonth
	kwMove
	kwName
	kwNames
	kwNational
	kwNatural
	kwNchar
	kwNested
	kwNew
	kwNext
	kwNfc
	kwNfd
	kwNfkc
	kwNfkd
	kwNo
	kwNone
	kwNormalize
	kwNormalized
	kwNot
	kwNothing
	kwNotify
	kwNotnull
	kwNowait
	kwNull
	kwNullif
	kwNulls
	kwNumeric
	kwObject
	kwOf
	kwOff
	kwOffset
	kwOids
	kwOld
	kwOmit
	kwOn
	kwOnly
	kwOperator
	kwOption
	kwOptions
	kwOr
	kwOrder
	kwOrdinality
	kwOthers
	kwOut
	kwOuter
	kwOver
	kwOverlaps
	kwOverlay
	kwOverriding
	kwOwned
	kwOwner
	kwParallel
	kwParameter
	kwParser
	kwPartial
	kwPartition
	kwPassing
	kwPassword
	kwPath
	kwPlacing
	kwPlan
	kwPlans
	kwPolicy
	kwPosition
	kwPreceding
	kwPrecision
	kwPrepare
	kwPrepared
	kwPreserve
	kwPrimary
	kwPrior
	kwPrivileges
	kwProcedural
	kwProcedure
	kwProcedures
	kwProgram
	kwPublication
	kwQuote
	kwQuotes
	kwRange
	kwRead
	kwReal
	kwReassign
	kwRecheck
	kwRecursive
	kwRef
	kwReferences
	kwReferencing
	kwRefresh
	kwReindex
	kwRelative
	kwRelease
	kwRename
	kwRepeatable
	kwReplace
	kwReplica
	kwReset
	kwRestart
	kwRestrict
	kwReturn
	kwReturning
	kwReturns
	kwRevoke
	kwRight
	kwRole
	kwRollback
	kwRollup
	kwRoutine
	kwRoutines
	kwRow
	kwRows
	kwRule
	kwSavepoint
	kwScalar
	kwSchema
	kwSchemas
	kwScroll
	kwSearch
	kwSecond
	kwSecurity
	kwSelect
	kwSequence
	kwSequences
	kwSerializable
	kwServer
	kwSession
	kwSessionUser
	kwSet
	kwSetof
	kwSets
	kwShare
	kwShow
	kwSimilar
	kwSimple
	kwSkip
	kwSmallint
	kwSnapshot
	kwSome
	kwSource
	kwSql
	kwStable
	kwStandalone
	kwStart
	kwStatement
	kwStatistics
	kwStdin
	kwStdout
	kwStorage
	kwStored
	kwStrict
	kwString
	kwStrip
	kwSubscription
	kwSubstring
	kwSupport
	kwSymmetric
	kwSysid
	kwSystem
	kwSystemUser
	kwTable
	kwTables
	kwTablesample
	kwTablespace
	kwTarget
	kwTemp
	kwTemplate
	kwTemporary
	kwText
	kwThen
	kwTies
	kwTime
	kwTimestamp
	kwTo
	kwTrailing
	kwTransaction
	kwTransform
	kwTreat
	kwTrigger
	kwTrim
	kwTrue
	kwTruncate
	kwTrusted
	kwType
	kwTypes
	kwUescape
	kwUnbounded
	kwUncommitted
	kwUnconditional
	kwUnencrypted
	kwUnion
	kwUnique
	kwUnknown
	kwUnlisten
	kwUnlogged
	kwUntil
	kwUpdate
	kwUser
	kwUsing
	kwVacuum
	kwValid
	kwValidate
	kwValidator
	kwValue
	kwValues
	kwVarchar
	kwVariadic
	kwVarying
	kwVerbose
	kwVersion
	kwView
	kwViews
	kwVolatile
	kwWhen
	kwWhere
	kwWhitespace
	kwWindow
	kwWith
	kwWithin
	kwWithout
	kwWork
	kwWrapper
	kwWrite
	kwXml
	kwXmlattributes
	kwXmlconcat
	kwXmlelement
	kwXmlexists
	kwXmlforest
	kwXmlnamespaces
	kwXmlparse
	kwXmlpi
	kwXmlroot
	kwXmlserialize
	kwXmltable
	kwYear
	kwYes
	kwZone
)

// keywordTable maps a lower-case keyword to its id and grammar category.
var keywordTable = map[string]keyword{
	"abort":             {kwAbort, catUnreserved},
	"absent":            {kwAbsent, catUnreserved},
	"absolute":          {kwAbsolute, catUnreserved},
	"access":            {kwAccess, catUnreserved},
	"action":            {kwAction, catUnreserved},
	"add":               {kwAdd, catUnreserved},
	"admin":             {kwAdmin, catUnreserved},
	"after":             {kwAfter, catUnreserved},
	"aggregate":         {kwAggregate, catUnreserved},
	"all":               {kwAll, catReserved},
	"also":              {kwAlso, catUnreserved},
	"alter":             {kwAlter, catUnreserved},
	"always":            {kwAlways, catUnreserved},
	"analyse":           {kwAnalyse, catReserved},
	"analyze":           {kwAnalyze, catReserved},
	"and":               {kwAnd, catReserved},
	"any":               {kwAny, catReserved},
	"array":             {kwArray, catReserved},
	"as":                {kwAs, catReserved},
	"asc":               {kwAsc, catReserved},
	"asensitive":        {kwAsensitive, catUnreserved},
	"assertion":         {kwAssertion, catUnreserved},
	"assignment":        {kwAssignment, catUnreserved},
	"asymmetric":        {kwAsymmetric, catReserved},
	"at":                {kwAt, catUnreserved},
	"atomic":            {kwAtomic, catUnreserved},
	"attach":            {kwAttach, catUnreserved},
	"attribute":         {kwAttribute, catUnreserved},
	"authorization":     {kwAuthorization, catTypeFuncName},
	"backward":          {kwBackward, catUnreserved},
	"before":            {kwBefore, catUnreserved},
	"begin":             {kwBegin, catUnreserved},
	"between":           {kwBetween, catColName},
	"bigint":            {kwBigint, catColName},
	"binary":            {kwBinary, catTypeFuncName},
	"bit":               {kwBit, catColName},
	"boolean":           {kwBoolean, catColName},
	"both":              {kwBoth, catReserved},
	"breadth":           {kwBreadth, catUnreserved},
	"by":                {kwBy, catUnreserved},
	"cache":             {kwCache, catUnreserved},
	"call":              {kwCall, catUnreserved},
	"called":            {kwCalled, catUnreserved},
	"cascade":           {kwCascade, catUnreserved},
	"cascaded":          {kwCascaded, catUnreserved},
	"case":              {kwCase, catReserved},
	"cast":              {kwCast, catReserved},
	"catalog":           {kwCatalog, catUnreserved},
	"chain":             {kwChain, catUnreserved},
	"char":              {kwChar, catColName},
	"character":         {kwCharacter, catColName},
	"characteristics":   {kwCharacteristics, catUnreserved},
	"check":             {kwCheck, catReserved},
	"checkpoint":        {kwCheckpoint, catUnreserved},
	"class":             {kwClass, catUnreserved},
	"close":             {kwClose, catUnreserved},
	"cluster":           {kwCluster, catUnreserved},
	"coalesce":          {kwCoalesce, catColName},
	"collate":           {kwCollate, catReserved},
	"collation":         {kwCollation, catTypeFuncName},
	"column":            {kwColumn, catReserved},
	"columns":           {kwColumns, catUnreserved},
	"comment":           {kwComment, catUnreserved},
	"comments":          {kwComments, catUnreserved},
	"commit":            {kwCommit, catUnreserved},
	"committed":         {kwCommitted, catUnreserved},
	"compression":       {kwCompression, catUnreserved},
	"concurrently":      {kwConcurrently, catTypeFuncName},
	"conditional":       {kwConditional, catUnreserved},
	"configuration":     {kwConfiguration, catUnreserved},
	"conflict":          {kwConflict, catUnreserved},
	"connection":        {kwConnection, catUnreserved},
	"constraint":        {kwConstraint, catReserved},
	"constraints":       {kwConstraints, catUnreserved},
	"content":           {kwContent, catUnreserved},
	"continue":          {kwContinue, catUnreserved},
	"conversion":        {kwConversion, catUnreserved},
	"copy":              {kwCopy, catUnreserved},
	"cost":              {kwCost, catUnreserved},
	"create":            {kwCreate, catReserved},
	"cross":             {kwCross, catTypeFuncName},
	"csv":               {kwCsv, catUnreserved},
	"cube":              {kwCube, catUnreserved},
	"current":           {kwCurrent, catUnreserved},
	"current_catalog":   {kwCurrentCatalog, catReserved},
	"current_date":      {kwCurrentDate, catReserved},
	"current_role":      {kwCurrentRole, catReserved},
	"current_schema":    {kwCurrentSchema, catTypeFuncName},
	"current_time":      {kwCurrentTime, catReserved},
	"current_timestamp": {kwCurrentTimestamp, catReserved},
	"current_user":      {kwCurrentUser, catReserved},
	"cursor":            {kwCursor, catUnreserved},
	"cycle":             {kwCycle, catUnreserved},
	"data":              {kwData, catUnreserved},
	"database":          {kwDatabase, catUnreserved},
	"day":               {kwDay, catUnreserved},
	"deallocate":        {kwDeallocate, catUnreserved},
	"dec":               {kwDec, catColName},
	"decimal":           {kwDecimal, catColName},
	"declare":           {kwDeclare, catUnreserved},
	"default":           {kwDefault, catReserved},
	"defaults":          {kwDefaults, catUnreserved},
	"deferrable":        {kwDeferrable, catReserved},
	"deferred":          {kwDeferred, catUnreserved},
	"definer":           {kwDefiner, catUnreserved},
	"delete":            {kwDelete, catUnreserved},
	"delimiter":         {kwDelimiter, catUnreserved},
	"delimiters":        {kwDelimiters, catUnreserved},
	"depends":           {kwDepends, catUnreserved},
	"depth":             {kwDepth, catUnreserved},
	"desc":              {kwDesc, catReserved},
	"detach":            {kwDetach, catUnreserved},
	"dictionary":        {kwDictionary, catUnreserved},
	"disable":           {kwDisable, catUnreserved},
	"discard":           {kwDiscard, catUnreserved},
	"distinct":          {kwDistinct, catReserved},
	"do":                {kwDo, catReserved},
	"document":          {kwDocument, catUnreserved},
	"domain":            {kwDomain, catUnreserved},
	"double":            {kwDouble, catUnreserved},
	"drop":              {kwDrop, catUnreserved},
	"each":              {kwEach, catUnreserved},
	"else":              {kwElse, catReserved},
	"empty":             {kwEmpty, catUnreserved},
	"enable":            {kwEnable, catUnreserved},
	"encoding":          {kwEncoding, catUnreserved},
	"encrypted":         {kwEncrypted, catUnreserved},
	"end":               {kwEnd, catReserved},
	"enum":              {kwEnum, catUnreserved},
	"error":             {kwError, catUnreserved},
	"escape":            {kwEscape, catUnreserved},
	"event":             {kwEvent, catUnreserved},
	"except":            {kwExcept, catReserved},
	"exclude":           {kwExclude, catUnreserved},
	"excluding":         {kwExcluding, catUnreserved},
	"exclusive":         {kwExclusive, catUnreserved},
	"execute":           {kwExecute, catUnreserved},
	"exists":            {kwExists, catColName},
	"explain":           {kwExplain, catUnreserved},
	"expression":        {kwExpression, catUnreserved},
	"extension":         {kwExtension, catUnreserved},
	"external":          {kwExternal, catUnreserved},
	"extract":           {kwExtract, catColName},
	"false":             {kwFalse, catReserved},
	"family":            {kwFamily, catUnreserved},
	"fetch":             {kwFetch, catReserved},
	"filter":            {kwFilter, catUnreserved},
	"finalize":          {kwFinalize, catUnreserved},
	"first":             {kwFirst, catUnreserved},
	"float":             {kwFloat, catColName},
	"following":         {kwFollowing, catUnreserved},
	"for":               {kwFor, catReserved},
	"force":             {kwForce, catUnreserved},
	"foreign":           {kwForeign, catReserved},
	"format":            {kwFormat, catUnreserved},
	"forward":           {kwForward, catUnreserved},
	"freeze":            {kwFreeze, catTypeFuncName},
	"from":              {kwFrom, catReserved},
	"full":              {kwFull, catTypeFuncName},
	"function":          {kwFunction, catUnreserved},
	"functions":         {kwFunctions, catUnreserved},
	"generated":         {kwGenerated, catUnreserved},
	"global":            {kwGlobal, catUnreserved},
	"grant":             {kwGrant, catReserved},
	"granted":           {kwGranted, catUnreserved},
	"greatest":          {kwGreatest, catColName},
	"group":             {kwGroup, catReserved},
	"grouping":          {kwGrouping, catColName},
	"groups":            {kwGroups, catUnreserved},
	"handler":           {kwHandler, catUnreserved},
	"having":            {kwHaving, catReserved},
	"header":            {kwHeader, catUnreserved},
	"hold":              {kwHold, catUnreserved},
	"hour":              {kwHour, catUnreserved},
	"identity":          {kwIdentity, catUnreserved},
	"if":                {kwIf, catUnreserved},
	"ilike":             {kwIlike, catTypeFuncName},
	"immediate":         {kwImmediate, catUnreserved},
	"immutable":         {kwImmutable, catUnreserved},
	"implicit":          {kwImplicit, catUnreserved},
	"import":            {kwImport, catUnreserved},
	"in":                {kwIn, catReserved},
	"include":           {kwInclude, catUnreserved},
	"including":         {kwIncluding, catUnreserved},
	"increment":         {kwIncrement, catUnreserved},
	"indent":            {kwIndent, catUnreserved},
	"index":             {kwIndex, catUnreserved},
	"indexes":           {kwIndexes, catUnreserved},
	"inherit":           {kwInherit, catUnreserved},
	"inherits":          {kwInherits, catUnreserved},
	"initially":         {kwInitially, catReserved},
	"inline":            {kwInline, catUnreserved},
	"inner":             {kwInner, catTypeFuncName},
	"inout":             {kwInout, catColName},
	"input":             {kwInput, catUnreserved},
	"insensitive":       {kwInsensitive, catUnreserved},
	"insert":            {kwInsert, catUnreserved},
	"instead":           {kwInstead, catUnreserved},
	"int":               {kwInt, catColName},
	"integer":           {kwInteger, catColName},
	"intersect":         {kwIntersect, catReserved},
	"interval":          {kwInterval, catColName},
	"into":              {kwInto, catReserved},
	"invoker":           {kwInvoker, catUnreserved},
	"is":                {kwIs, catTypeFuncName},
	"isnull":            {kwIsnull, catTypeFuncName},
	"isolation":         {kwIsolation, catUnreserved},
	"join":              {kwJoin, catTypeFuncName},
	"json":              {kwJson, catColName},
	"json_array":        {kwJsonArray, catColName},
	"json_arrayagg":     {kwJsonArrayagg, catColName},
	"json_exists":       {kwJsonExists, catColName},
	"json_object":       {kwJsonObject, catColName},
	"json_objectagg":    {kwJsonObjectagg, catColName},
	"json_query":        {kwJsonQuery, catColName},
	"json_scalar":       {kwJsonScalar, catColName},
	"json_serialize":    {kwJsonSerialize, catColName},
	"json_table":        {kwJsonTable, catColName},
	"json_value":        {kwJsonValue, catColName},
	"keep":              {kwKeep, catUnreserved},
	"key":               {kwKey, catUnreserved},
	"keys":              {kwKeys, catUnreserved},
	"label":             {kwLabel, catUnreserved},
	"language":          {kwLanguage, catUnreserved},
	"large":             {kwLarge, catUnreserved},
	"last":              {kwLast, catUnreserved},
	"lateral":           {kwLateral, catReserved},
	"leading":           {kwLeading, catReserved},
	"leakproof":         {kwLeakproof, catUnreserved},
	"least":             {kwLeast, catColName},
	"left":              {kwLeft, catTypeFuncName},
	"level":             {kwLevel, catUnreserved},
	"like":              {kwLike, catTypeFuncName},
	"limit":             {kwLimit, catReserved},
	"listen":            {kwListen, catUnreserved},
	"load":              {kwLoad, catUnreserved},
	"local":             {kwLocal, catUnreserved},
	"localtime":         {kwLocaltime, catReserved},
	"localtimestamp":    {kwLocaltimestamp, catReserved},
	"location":          {kwLocation, catUnreserved},
	"lock":              {kwLock, catUnreserved},
	"locked":            {kwLocked, catUnreserved},
	"logged":            {kwLogged, catUnreserved},
	"mapping":           {kwMapping, catUnreserved},
	"match":             {kwMatch, catUnreserved},
	"matched":           {kwMatched, catUnreserved},
	"materialized":      {kwMaterialized, catUnreserved},
	"maxvalue":          {kwMaxvalue, catUnreserved},
	"merge":             {kwMerge, catUnreserved},
	"merge_action":      {kwMergeAction, catColName},
	"method":            {kwMethod, catUnreserved},
	"minute":            {kwMinute, catUnreserved},
	"minvalue":          {kwMinvalue, catUnreserved},
	"mode":              {kwMode, catUnreserved},
	"month":             {kwMonth, catUnreserved},
	"move":              {kwMove, catUnreserved},
	"name":              {kwName, catUnreserved},
	"names":             {kwNames, catUnreserved},
	"national":          {kwNational, catColName},
	"natural":           {kwNatural, catTypeFuncName},
	"nchar":             {kwNchar, catColName},
	"nested":            {kwNested, catUnreserved},
	"new":               {kwNew, catUnreserved},
	"next":              {kwNext, catUnreserved},
	"nfc":               {kwNfc, catUnreserved},
	"nfd":               {kwNfd, catUnreserved},
	"nfkc":              {kwNfkc, catUnreserved},
	"nfkd":              {kwNfkd, catUnreserved},
	"no":                {kwNo, catUnreserved},
	"none":              {kwNone, catColName},
	"normalize":         {kwNormalize, catColName},
	"normalized":        {kwNormalized, catUnreserved},
	"not":               {kwNot, catReserved},
	"nothing":           {kwNothing, catUnreserved},
	"notify":            {kwNotify, catUnreserved},
	"notnull":           {kwNotnull, catTypeFuncName},
	"nowait":            {kwNowait, catUnreserved},
	"null":              {kwNull, catReserved},
	"nullif":            {kwNullif, catColName},
	"nulls":             {kwNulls, catUnreserved},
	"numeric":           {kwNumeric, catColName},
	"object":            {kwObject, catUnreserved},
	"of":                {kwOf, catUnreserved},
	"off":               {kwOff, catUnreserved},
	"offset":            {kwOffset, catReserved},
	"oids":              {kwOids, catUnreserved},
	"old":               {kwOld, catUnreserved},
	"omit":              {kwOmit, catUnreserved},
	"on":                {kwOn, catReserved},
	"only":              {kwOnly, catReserved},
	"operator":          {kwOperator, catUnreserved},
	"option":            {kwOption, catUnreserved},
	"options":           {kwOptions, catUnreserved},
	"or":                {kwOr, catReserved},
	"order":             {kwOrder, catReserved},
	"ordinality":        {kwOrdinality, catUnreserved},
	"others":            {kwOthers, catUnreserved},
	"out":               {kwOut, catColName},
	"outer":             {kwOuter, catTypeFuncName},
	"over":              {kwOver, catUnreserved},
	"overlaps":          {kwOverlaps, catTypeFuncName},
	"overlay":           {kwOverlay, catColName},
	"overriding":        {kwOverriding, catUnreserved},
	"owned":             {kwOwned, catUnreserved},
	"owner":             {kwOwner, catUnreserved},
	"parallel":          {kwParallel, catUnreserved},
	"parameter":         {kwParameter, catUnreserved},
	"parser":            {kwParser, catUnreserved},
	"partial":           {kwPartial, catUnreserved},
	"partition":         {kwPartition, catUnreserved},
	"passing":           {kwPassing, catUnreserved},
	"password":          {kwPassword, catUnreserved},
	"path":              {kwPath, catUnreserved},
	"placing":           {kwPlacing, catReserved},
	"plan":              {kwPlan, catUnreserved},
	"plans":             {kwPlans, catUnreserved},
	"policy":            {kwPolicy, catUnreserved},
	"position":          {kwPosition, catColName},
	"preceding":         {kwPreceding, catUnreserved},
	"precision":         {kwPrecision, catColName},
	"prepare":           {kwPrepare, catUnreserved},
	"prepared":          {kwPrepared, catUnreserved},
	"preserve":          {kwPreserve, catUnreserved},
	"primary":           {kwPrimary, catReserved},
	"prior":             {kwPrior, catUnreserved},
	"privileges":        {kwPrivileges, catUnreserved},
	"procedural":        {kwProcedural, catUnreserved},
	"procedure":         {kwProcedure, catUnreserved},
	"procedures":        {kwProcedures, catUnreserved},
	"program":           {kwProgram, catUnreserved},
	"publication":       {kwPublication, catUnreserved},
	"quote":             {kwQuote, catUnreserved},
	"quotes":            {kwQuotes, catUnreserved},
	"range":             {kwRange, catUnreserved},
	"read":              {kwRead, catUnreserved},
	"real":              {kwReal, catColName},
	"reassign":          {kwReassign, catUnreserved},
	"recheck":           {kwRecheck, catUnreserved},
	"recursive":         {kwRecursive, catUnreserved},
	"ref":               {kwRef, catUnreserved},
	"references":        {kwReferences, catReserved},
	"referencing":       {kwReferencing, catUnreserved},
	"refresh":           {kwRefresh, catUnreserved},
	"reindex":           {kwReindex, catUnreserved},
	"relative":          {kwRelative, catUnreserved},
	"release":           {kwRelease, catUnreserved},
	"rename":            {kwRename, catUnreserved},
	"repeatable":        {kwRepeatable, catUnreserved},
	"replace":           {kwReplace, catUnreserved},
	"replica":           {kwReplica, catUnreserved},
	"reset":             {kwReset, catUnreserved},
	"restart":           {kwRestart, catUnreserved},
	"restrict":          {kwRestrict, catUnreserved},
	"return":            {kwReturn, catUnreserved},
	"returning":         {kwReturning, catReserved},
	"returns":           {kwReturns, catUnreserved},
	"revoke":            {kwRevoke, catUnreserved},
	"right":             {kwRight, catTypeFuncName},
	"role":              {kwRole, catUnreserved},
	"rollback":          {kwRollback, catUnreserved},
	"rollup":            {kwRollup, catUnreserved},
	"routine":           {kwRoutine, catUnreserved},
	"routines":          {kwRoutines, catUnreserved},
	"row":               {kwRow, catColName},
	"rows":              {kwRows, catUnreserved},
	"rule":              {kwRule, catUnreserved},
	"savepoint":         {kwSavepoint, catUnreserved},
	"scalar":            {kwScalar, catUnreserved},
	"schema":            {kwSchema, catUnreserved},
	"schemas":           {kwSchemas, catUnreserved},
	"scroll":            {kwScroll, catUnreserved},
	"search":            {kwSearch, catUnreserved},
	"second":            {kwSecond, catUnreserved},
	"security":          {kwSecurity, catUnreserved},
	"select":            {kwSelect, catReserved},
	"sequence":          {kwSequence, catUnreserved},
	"sequences":         {kwSequences, catUnreserved},
	"serializable":      {kwSerializable, catUnreserved},
	"server":            {kwServer, catUnreserved},
	"session":           {kwSession, catUnreserved},
	"session_user":      {kwSessionUser, catReserved},
	"set":               {kwSet, catUnreserved},
	"setof":             {kwSetof, catColName},
	"sets":              {kwSets, catUnreserved},
	"share":             {kwShare, catUnreserved},
	"show":              {kwShow, catUnreserved},
	"similar":           {kwSimilar, catTypeFuncName},
	"simple":            {kwSimple, catUnreserved},
	"skip":              {kwSkip, catUnreserved},
	"smallint":          {kwSmallint, catColName},
	"snapshot":          {kwSnapshot, catUnreserved},
	"some":              {kwSome, catReserved},
	"source":            {kwSource, catUnreserved},
	"sql":               {kwSql, catUnreserved},
	"stable":            {kwStable, catUnreserved},
	"standalone":        {kwStandalone, catUnreserved},
	"start":             {kwStart, catUnreserved},
	"statement":         {kwStatement, catUnreserved},
	"statistics":        {kwStatistics, catUnreserved},
	"stdin":             {kwStdin, catUnreserved},
	"stdout":            {kwStdout, catUnreserved},
	"storage":           {kwStorage, catUnreserved},
	"stored":            {kwStored, catUnreserved},
	"strict":            {kwStrict, catUnreserved},
	"string":            {kwString, catUnreserved},
	"strip":             {kwStrip, catUnreserved},
	"subscription":      {kwSubscription, catUnreserved},
	"substring":         {kwSubstring, catColName},
	"support":           {kwSupport, catUnreserved},
	"symmetric":         {kwSymmetric, catReserved},
	"sysid":             {kwSysid, catUnreserved},
	"system":            {kwSystem, catUnreserved},
	"system_user":       {kwSystemUser, catReserved},
	"table":             {kwTable, catReserved},
	"tables":            {kwTables, catUnreserved},
	"tablesample":       {kwTablesample, catTypeFuncName},
	"tablespace":        {kwTablespace, catUnreserved},
	"target":            {kwTarget, catUnreserved},
	"temp":              {kwTemp, catUnreserved},
	"template":          {kwTemplate, catUnreserved},
	"temporary":         {kwTemporary, catUnreserved},
	"text":              {kwText, catUnreserved},
	"then":              {kwThen, catReserved},
	"ties":              {kwTies, catUnreserved},
	"time":              {kwTime, catColName},
	"timestamp":         {kwTimestamp, catColName},
	"to":                {kwTo, catReserved},
	"trailing":          {kwTrailing, catReserved},
	"transaction":       {kwTransaction, catUnreserved},
	"transform":         {kwTransform, catUnreserved},
	"treat":             {kwTreat, catColName},
	"trigger":           {kwTrigger, catUnreserved},
	"trim":              {kwTrim, catColName},
	"true":              {kwTrue, catReserved},
	"truncate":          {kwTruncate, catUnreserved},
	"trusted":           {kwTrusted, catUnreserved},
	"type":              {kwType, catUnreserved},
	"types":             {kwTypes, catUnreserved},
	"uescape":           {kwUescape, catUnreserved},
	"unbounded":         {kwUnbounded, catUnreserved},
	"uncommitted":       {kwUncommitted, catUnreserved},
	"unconditional":     {kwUnconditional, catUnreserved},
	"unencrypted":       {kwUnencrypted, catUnreserved},
	"union":             {kwUnion, catReserved},
	"unique":            {kwUnique, catReserved},
	"unknown":           {kwUnknown, catUnreserved},
	"unlisten":          {kwUnlisten, catUnreserved},
	"unlogged":          {kwUnlogged, catUnreserved},
	"until":             {kwUntil, catUnreserved},
	"update":            {kwUpdate, catUnreserved},
	"user":              {kwUser, catReserved},
	"using":             {kwUsing, catReserved},
	"vacuum":            {kwVacuum, catUnreserved},
	"valid":             {kwValid, catUnreserved},
	"validate":          {kwValidate, catUnreserved},
	"validator":         {kwValidator, catUnreserved},
	"value":             {kwValue, catUnreserved},
	"values":            {kwValues, catColName},
	"varchar":           {kwVarchar, catColName},
	"variadic":          {kwVariadic, catReserved},
	"varying":           {kwVarying, catUnreserved},
	"verbose":           {kwVerbose, catTypeFuncName},
	"version":           {kwVersion, catUnreserved},
	"view":              {kwView, catUnreserved},
	"views":             {kwViews, catUnreserved},
	"volatile":          {kwVolatile, catUnreserved},
	"when":              {kwWhen, catReserved},
	"where":             {kwWhere, catReserved},
	"whitespace":        {kwWhitespace, catUnreserved},
	"window":            {kwWindow, catReserved},
	"with":              {kwWith, catReserved},
	"within":            {kwWithin, catUnreserved},
	"without":           {kwWithout, catUnreserved},
	"work":              {kwWork, catUnreserved},
	"wrapper":           {kwWrapper, catUnreserved},
	"write":             {kwWrite, catUnreserved},
	"xml":               {kwXml, catUnreserved},
	"xmlattributes":     {kwXmlattributes, catColName},
	"xmlconcat":         {kwXmlconcat, catColName},
	"xmlelement":        {kwXmlelement, catColName},
	"xmlexists":         {kwXmlexists, catColName},
	"xmlforest":         {kwXmlforest, catColName},
	"xmlnamespaces":     {kwXmlnamespaces, catColName},
	"xmlparse":          {kwXmlparse, catColName},
	"xmlpi":             {kwXmlpi, catColName},
	"xmlroot":           {kwXmlroot, catColName},
	"xmlserialize":      {kwXmlserialize, catColName},
	"xmltable":          {kwXmltable, catColName},
	"year":              {kwYear, catUnreserved},
	"yes":               {kwYes, catUnreserved},
	"zone":              {kwZone, catUnreserved},
}
