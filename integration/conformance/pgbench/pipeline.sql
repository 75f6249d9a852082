-- Several statements in one pipeline, one Sync at \endpipeline.
\startpipeline
INSERT INTO pb (client, v) VALUES (:client_id, 1);
SELECT count(*) FROM pb WHERE client = :client_id;
INSERT INTO pb (client, v) VALUES (:client_id, 2);
SELECT 1;
\endpipeline
