create table cu (id int primary key, v text);
insert into cu select g, 'v' || g from generate_series(1, 10) g;
-- FETCH_COUNT: psql reads results through a cursor, 3 rows at a time
\set FETCH_COUNT 3
select id, v from cu order by id;
begin;
select id from cu where id > 4 order by id;
insert into cu values (11, 'new');
select id from cu where id > 8 order by id;
commit;
select 10 / (5 - id) from cu order by id;
\unset FETCH_COUNT
begin;
declare c1 scroll cursor for select id from cu order by id;
fetch 3 from c1;
fetch prior from c1;
move 3 in c1;
fetch all from c1;
close c1;
commit;
declare h1 cursor with hold for select id from cu where id > 7 order by id;
fetch 2 from h1;
close h1;
