create table tw (id int primary key, v text);
begin;
select count(*) from tw;
insert into tw values (1, 'a');
select count(*) from tw;
update tw set v = 'b' where id = 1;
select v from tw where id = 1;
commit;
select v from tw;
begin;
insert into tw values (2, 'c');
select id, v from tw order by id;
rollback;
select count(*) from tw;
begin;
select count(*) from tw;
select v from tw where id = 1;
commit;
start transaction isolation level repeatable read;
select count(*) from tw;
insert into tw values (3, 'd');
select count(*) from tw;
commit;
\set AUTOCOMMIT off
insert into tw values (4, 'e');
select count(*) from tw;
commit;
\set AUTOCOMMIT on
select id, v from tw order by id;
