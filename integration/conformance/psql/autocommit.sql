create table ac (id int primary key, v text);
insert into ac values (1, 'one'), (2, 'two'), (3, 'three');
select id, v from ac order by id;
update ac set v = v || '!' where id >= 2;
select id, v from ac order by id;
delete from ac where id = 1;
select count(*) from ac;
insert into ac values (4, 'four') returning id, v;
select id, v from ac where id = 4;
select v from ac where id = 99;
select count(*) as n from ac \gset
\echo counted :n
select id from ac order by id \gexec
