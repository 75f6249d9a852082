-- Write in a transaction, read back in it (primary) and after it (the
-- standby, which must have the commit: synchronous_commit = remote_apply).
\set v :client_id * 10 + 1
BEGIN;
INSERT INTO pb (client, v) VALUES (:client_id, :v);
SELECT count(*) AS n FROM pb WHERE client = :client_id \gset
END;
SELECT count(*) AS total FROM pb WHERE client = :client_id \gset
\if :n != :total
SELECT 'the read after commit missed the write' AS failure, 1/0;
\endif
SELECT sum(v) AS s FROM pb WHERE client = :client_id;
