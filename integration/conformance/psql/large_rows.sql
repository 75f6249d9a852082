select length(repeat('x', 10000000)), md5(repeat('x', 10000000));
select repeat('ab', 4000000) \g /dev/null
create table lr (id int, t text, b bytea);
select repeat('0123456789abcdef', 6 * 65536) as big \gset
-- a 6 MiB literal in one Query message
insert into lr values (1, :'big', decode(repeat('0001feff', 786432), 'hex'));
select length(t), md5(t), length(b), md5(b) from lr;
select t, b from lr \g /dev/null
insert into lr select 2, repeat(t, 3), b || b from lr where id = 1;
select id, length(t), md5(t), length(b) from lr order by id;
select count(*), md5(string_agg(g::text || repeat(md5(g::text), 20), ',' order by g)) from generate_series(1, 20000) g;
