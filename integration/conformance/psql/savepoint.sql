create table sp (id int primary key);
begin;
insert into sp values (1);
savepoint a;
insert into sp values (2);
select count(*) from sp;
rollback to savepoint a;
select count(*) from sp;
savepoint b;
insert into sp values (3);
release savepoint b;
select array_agg(id order by id) from sp;
savepoint c;
insert into sp values (1);
select 1;
rollback to savepoint c;
select count(*) from sp;
commit;
begin;
savepoint s;
select * from missing_sp;
rollback to savepoint s;
select count(*) from sp;
insert into sp values (4);
commit;
-- psql's ON_ERROR_ROLLBACK: a savepoint around every statement
\set ON_ERROR_ROLLBACK on
begin;
insert into sp values (5);
insert into sp values (5);
select * from missing_sp;
select count(*) from sp;
insert into sp values (6);
commit;
\set ON_ERROR_ROLLBACK off
select array_agg(id order by id) from sp;
