create table cp (id int, v text);
copy cp from stdin (format csv);
1,a
2,b
3,c
\.
\copy cp from stdin
4	d
5	e
\.
select count(*), sum(id) from cp;
copy (select id, v from cp order by id) to stdout;
\copy cp to stdout (format csv, header)
copy cp from stdin;
x	y
\.
copy missing_cp from stdin;
1
\.
select count(*) from cp;
begin;
copy cp from stdin;
3000	in tx
\.
select count(*) from cp;
rollback;
select count(*) from cp;
copy (select g, md5(g::text) from generate_series(1, 20) g) to stdout (format csv);
