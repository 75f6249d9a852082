import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.core.BaseConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.util.PSQLException;

/**
 * Conformance scenarios for PgJDBC.
 *
 * <p>Usage: java -cp postgresql.jar:. Conformance HOST PORT USER DBNAME SCENARIO...
 *
 * <p>Connections use autosave=always (a savepoint before every statement in a
 * transaction, rolled back to after an error) and prepareThreshold=1 (every
 * PreparedStatement is a named server-side statement from its first use);
 * cursors are fetchSize portals read with Execute row limits and a Sync in
 * between. The jar is Debian's libpostgresql-jdbc-java.
 */
public class Conformance {
    static String host, port, user, db;

    interface Scenario {
        void run() throws Exception;
    }

    static void out(String line) {
        System.out.println(line);
        System.out.flush();
    }

    static String digest(byte[] b) throws Exception {
        byte[] d = MessageDigest.getInstance("MD5").digest(b);
        StringBuilder sb = new StringBuilder();
        for (byte x : d) sb.append(String.format("%02x", x));
        return "<" + b.length + " bytes md5 " + sb + ">";
    }

    static String fmt(Object v) throws Exception {
        if (v == null) return "NULL";
        String s;
        if (v instanceof byte[]) {
            StringBuilder sb = new StringBuilder("\\x");
            for (byte x : (byte[]) v) sb.append(String.format("%02x", x));
            s = sb.toString();
        } else if (v instanceof java.sql.Array) {
            Object[] a = (Object[]) ((java.sql.Array) v).getArray();
            List<String> parts = new ArrayList<>();
            for (Object o : a) parts.add(fmt(o));
            s = "{" + String.join(",", parts) + "}";
        } else {
            s = v.toString();
        }
        return s.length() > 200 ? digest(s.getBytes(StandardCharsets.UTF_8)) : s;
    }

    static String errline(SQLException e) {
        String msg = e.getMessage();
        if (e instanceof PSQLException && ((PSQLException) e).getServerErrorMessage() != null) {
            msg = ((PSQLException) e).getServerErrorMessage().getMessage();
        }
        return "error: " + e.getSQLState() + " " + (msg == null ? "" : msg.split("\n")[0]);
    }

    /** One connection of a scenario; label prefixes its lines. */
    static class C {
        final Connection conn;
        final String label;

        C(String label, String extra) throws SQLException {
            String url = "jdbc:postgresql://" + host + ":" + port + "/" + db
                    + "?user=" + user + "&sslmode=disable&connectTimeout=10"
                    + "&autosave=always&prepareThreshold=1" + (extra == null ? "" : "&" + extra);
            conn = DriverManager.getConnection(url);
            this.label = label.isEmpty() ? "" : label + " ";
        }

        C() throws SQLException {
            this("", null);
        }

        void p(String line) {
            out(label + line);
        }

        void warnings(Statement st) throws SQLException {
            for (SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
                String msg = w.getMessage();
                if (w instanceof org.postgresql.util.PSQLWarning && ((org.postgresql.util.PSQLWarning) w).getServerErrorMessage() != null) {
                    msg = ((org.postgresql.util.PSQLWarning) w).getServerErrorMessage().getMessage();
                }
                p("notice: " + w.getSQLState() + " " + msg);
            }
            st.clearWarnings();
        }

        void rows(ResultSet rs) throws Exception {
            ResultSetMetaData md = rs.getMetaData();
            int n = 0;
            while (rs.next()) {
                List<String> vals = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++) vals.add(fmt(rs.getObject(i)));
                p("row: " + String.join("|", vals));
                n++;
            }
            p("rows: " + n);
        }

        /** A plain Statement: every result, update count or error. */
        void q(String sql) throws Exception {
            try (Statement st = conn.createStatement()) {
                try {
                    boolean isRs = st.execute(sql);
                    for (;;) {
                        if (isRs) {
                            rows(st.getResultSet());
                        } else {
                            int cnt = st.getUpdateCount();
                            if (cnt == -1) break;
                            p("count: " + cnt);
                        }
                        isRs = st.getMoreResults();
                    }
                } catch (SQLException e) {
                    p(errline(e));
                }
                warnings(st);
            }
        }

        /** A PreparedStatement with parameters. */
        void pq(String sql, Object... args) throws Exception {
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                run(ps, args);
            }
        }

        void run(PreparedStatement ps, Object... args) throws Exception {
            try {
                for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
                if (ps.execute()) {
                    rows(ps.getResultSet());
                } else {
                    p("count: " + ps.getUpdateCount());
                }
            } catch (SQLException e) {
                p(errline(e));
            }
            warnings(ps);
        }

        void call(String what, SqlRunnable r) {
            try {
                r.run();
                p(what + ": ok");
            } catch (SQLException e) {
                p(what + ": " + errline(e));
            }
        }

        void tx() throws SQLException {
            p("tx: " + ((BaseConnection) conn).getTransactionState());
        }

        void close() throws SQLException {
            conn.close();
        }
    }

    interface SqlRunnable {
        void run() throws SQLException;
    }

    static void autocommit() throws Exception {
        C c = new C();
        c.q("create table ac (id int primary key, v text)");
        String[] vs = {"one", "two", "three"};
        for (int i = 0; i < vs.length; i++) c.pq("insert into ac values (?, ?)", i + 1, vs[i]);
        c.q("select id, v from ac order by id");
        c.pq("update ac set v = v || '!' where id >= ?", 2);
        c.pq("select id, v from ac order by id");
        c.pq("delete from ac where id = ?", 1);
        c.q("select count(*) from ac");
        c.q("insert into ac values (4, 'four') returning id, v");
        c.pq("select id, v from ac where id = ?", 4);
        c.pq("select v from ac where id = 99");
        c.tx();
        c.close();
    }

    static void txReadAfterWrite() throws Exception {
        C c = new C();
        c.q("create table tw (id int primary key, v text)");
        c.conn.setAutoCommit(false);
        c.pq("select count(*) from tw");
        c.tx();
        c.pq("insert into tw values (?, ?)", 1, "a");
        c.pq("select count(*) from tw");
        c.pq("update tw set v = 'b' where id = ?", 1);
        c.pq("select v from tw where id = ?", 1);
        c.call("commit", c.conn::commit);
        c.tx();
        c.pq("select v from tw");
        c.pq("insert into tw values (?, ?)", 2, "c");
        c.pq("select id, v from tw order by id");
        c.call("rollback", c.conn::rollback);
        c.pq("select count(*) from tw");
        c.pq("select v from tw where id = 1");
        c.call("commit", c.conn::commit);
        c.conn.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.pq("select count(*) from tw");
        c.pq("insert into tw values (?, ?)", 3, "d");
        c.pq("select count(*) from tw");
        c.call("commit", c.conn::commit);
        c.conn.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        c.conn.setReadOnly(true);
        c.pq("select count(*) from tw");
        c.pq("insert into tw values (?, ?)", 4, "e");
        c.call("rollback", c.conn::rollback);
        c.conn.setReadOnly(false);
        c.conn.setAutoCommit(true);
        c.pq("select id, v from tw order by id");
        c.tx();
        c.close();
    }

    static void savepoint() throws Exception {
        C c = new C();
        c.q("create table sp (id int primary key)");
        c.conn.setAutoCommit(false);
        c.pq("insert into sp values (?)", 1);
        Savepoint a = c.conn.setSavepoint("a");
        c.pq("insert into sp values (?)", 2);
        c.pq("select count(*) from sp");
        c.call("rollback to a", () -> c.conn.rollback(a));
        c.pq("select count(*) from sp");
        Savepoint b = c.conn.setSavepoint();
        c.pq("insert into sp values (?)", 3);
        c.call("release", () -> c.conn.releaseSavepoint(b));
        c.pq("select array_agg(id order by id) from sp");
        // autosave=always: the failed statement is rolled back to the
        // driver's savepoint and the transaction goes on.
        c.pq("insert into sp values (?)", 1);
        c.tx();
        c.pq("select count(*) from sp");
        c.q("select * from missing_sp");
        c.tx();
        c.pq("select count(*) from sp");
        c.pq("insert into sp values (?)", 4);
        c.pq("select 1/0");
        c.pq("select count(*) from sp");
        c.call("commit", c.conn::commit);
        c.pq("select array_agg(id order by id) from sp");
        // A read error before any write in the transaction.
        c.pq("select * from missing_sp");
        c.tx();
        c.pq("insert into sp values (?)", 5);
        c.call("commit", c.conn::commit);
        c.pq("select array_agg(id order by id) from sp");
        c.call("commit", c.conn::commit);
        c.conn.setAutoCommit(true);
        c.tx();
        c.close();
    }

    static void preparedReuse() throws Exception {
        C c = new C();
        c.q("create table pr (id int primary key, v text)");
        PreparedStatement ins = c.conn.prepareStatement("insert into pr values (?, ?)");
        PreparedStatement sel = c.conn.prepareStatement("select v from pr where id = ?");
        PreparedStatement cnt = c.conn.prepareStatement("select count(*) from pr");
        c.run(cnt);
        c.run(sel, 1);
        c.conn.setAutoCommit(false);
        for (int i = 1; i <= 3; i++) {
            c.run(ins, i, "v" + i);
            c.run(sel, i);
            c.run(cnt);
            c.call("commit", c.conn::commit);
        }
        c.run(cnt);
        c.run(sel, 2);
        c.call("commit", c.conn::commit);
        c.run(ins, 1, "dup");
        c.tx();
        c.run(cnt);
        c.call("rollback", c.conn::rollback);
        c.conn.setAutoCommit(true);
        c.run(sel, 3);
        c.run(cnt);
        c.q("prepare sq_sel(int) as select v from pr where id = $1");
        c.q("execute sq_sel(2)");
        c.q("deallocate sq_sel");
        c.q("execute sq_sel(1)");
        ins.close();
        sel.close();
        cnt.close();
        c.pq("select count(*) from pr");
        c.tx();
        c.close();
    }

    static void cursorFetch() throws Exception {
        C c = new C();
        c.q("create table cu (id int primary key, v text)");
        c.q("insert into cu select g, 'v' || g from generate_series(1, 10) g");
        c.conn.setAutoCommit(false);
        // fetchSize: a portal read 3 rows at a time, a Sync between reads.
        try (PreparedStatement ps = c.conn.prepareStatement("select id, v from cu where id > ? order by id")) {
            ps.setFetchSize(3);
            ps.setInt(1, 1);
            try (ResultSet rs = ps.executeQuery()) {
                List<Integer> ids = new ArrayList<>();
                while (rs.next()) ids.add(rs.getInt(1));
                c.p("fetched: " + ids);
            }
        }
        // Two cursors read in turns, and a write between reads.
        try (Statement s1 = c.conn.createStatement(); Statement s2 = c.conn.createStatement()) {
            s1.setFetchSize(2);
            s2.setFetchSize(4);
            ResultSet r1 = s1.executeQuery("select id from cu order by id");
            ResultSet r2 = s2.executeQuery("select id from cu order by id desc");
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                r1.next();
                r2.next();
                seen.add(r1.getInt(1) + "/" + r2.getInt(1));
            }
            c.p("interleaved: " + seen);
            c.pq("insert into cu values (?, ?)", 11, "new");
            List<Integer> rest = new ArrayList<>();
            while (r1.next()) rest.add(r1.getInt(1));
            c.p("rest: " + rest);
            r1.close();
            r2.close();
        }
        c.pq("select count(*) from cu");
        c.call("commit", c.conn::commit);
        try (PreparedStatement ps = c.conn.prepareStatement("select 10 / (5 - id) from cu order by id")) {
            ps.setFetchSize(2);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) c.p("row: " + rs.getInt(1));
            } catch (SQLException e) {
                c.p(errline(e));
            }
        }
        c.tx();
        c.pq("select count(*) from cu");
        c.call("rollback", c.conn::rollback);
        c.conn.setAutoCommit(true);
        // fetchSize is ignored in autocommit: all rows at once.
        try (Statement s = c.conn.createStatement()) {
            s.setFetchSize(2);
            c.rows(s.executeQuery("select id from cu where id > 8 order by id"));
        }
        c.tx();
        c.close();
    }

    static void copy() throws Exception {
        C c = new C();
        c.q("create table cp (id int, v text)");
        CopyManager cm = c.conn.unwrap(PGConnection.class).getCopyAPI();
        StringBuilder data = new StringBuilder();
        for (int i = 1; i <= 1000; i++) data.append(i).append(",c").append(i).append("\n");
        try {
            c.p("copy in: " + cm.copyIn("copy cp from stdin (format csv)", new StringReader(data.toString())));
        } catch (SQLException e) {
            c.p(errline(e));
        }
        c.pq("select count(*), sum(id) from cp");
        for (String sql : new String[] {"copy (select id, v from cp order by id) to stdout", "copy cp to stdout (format csv, header)"}) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            try {
                c.p("copy out: " + cm.copyOut(sql, buf) + " " + digest(buf.toByteArray()));
            } catch (SQLException e) {
                c.p(errline(e));
            }
        }
        for (String bad : new String[] {"x\ty\n", "2000\tok\n2001\n"}) {
            try {
                cm.copyIn("copy cp from stdin", new StringReader(bad));
            } catch (SQLException e) {
                c.p(errline(e));
            }
        }
        try {
            cm.copyIn("copy missing_cp from stdin", new StringReader("1\n"));
        } catch (SQLException e) {
            c.p(errline(e));
        }
        c.pq("select count(*) from cp");
        c.conn.setAutoCommit(false);
        c.p("copy in tx: " + cm.copyIn("copy cp from stdin", new StringReader("3000\tin tx\n3001\tin tx\n")));
        c.pq("select count(*) from cp");
        c.call("rollback", c.conn::rollback);
        c.conn.setAutoCommit(true);
        c.pq("select count(*) from cp");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        c.p("copy out: " + cm.copyOut("copy (select g, md5(g::text) from generate_series(1, 5000) g) to stdout (format csv)", buf) + " " + digest(buf.toByteArray()));
        c.tx();
        c.close();
    }

    static void waitNotify(C a, int n) throws Exception {
        PGConnection pg = a.conn.unwrap(PGConnection.class);
        long deadline = System.currentTimeMillis() + 10000;
        int got = 0;
        while (got < n) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                a.p("wait: timed out");
                return;
            }
            PGNotification[] notes = pg.getNotifications((int) left);
            if (notes == null) continue;
            for (PGNotification note : notes) {
                a.p("notification: " + note.getName() + " " + note.getParameter());
                got++;
            }
        }
    }

    static void listenNotify() throws Exception {
        C a = new C("A", null), b = new C("B", null);
        a.q("listen conf_ch");
        b.q("notify conf_ch, 'one'");
        waitNotify(a, 1);
        b.conn.setAutoCommit(false);
        b.q("notify conf_ch, 'two'");
        b.q("notify conf_ch, 'three'");
        b.pq("select 1");
        b.call("commit", b.conn::commit);
        b.conn.setAutoCommit(true);
        waitNotify(a, 2);
        b.pq("select pg_notify('conf_ch', ?)", "four");
        waitNotify(a, 1);
        a.q("listen conf_ch2");
        a.q("unlisten conf_ch");
        b.q("notify conf_ch, 'lost'");
        b.q("notify conf_ch2, 'five'");
        waitNotify(a, 1);
        a.q("notify conf_ch2, 'self'");
        waitNotify(a, 1);
        a.conn.setAutoCommit(false);
        a.pq("select 1");
        b.q("notify conf_ch2, 'during tx'");
        a.pq("select 2");
        a.call("commit", a.conn::commit);
        a.conn.setAutoCommit(true);
        waitNotify(a, 1);
        a.q("unlisten *");
        a.tx();
        a.close();
        b.close();
    }

    static void txErrors() throws Exception {
        C c = new C();
        c.q("create table te (id int primary key)");
        c.q("insert into te values (1)");
        c.pq("insert into te values (?)", 1);
        c.pq("select count(*) from te");
        c.pq("select 1/0");
        c.q("select * from missing_te");
        c.q("selec 1");
        c.pq("select id from te where id = ?::int", "not a number");
        c.tx();
        // Without autosave, an error fails the transaction.
        C d = new C("D", "autosave=never");
        d.conn.setAutoCommit(false);
        d.pq("insert into te values (?)", 2);
        d.pq("insert into te values (?)", 2);
        d.tx();
        d.pq("select 1");
        d.call("rollback", d.conn::rollback);
        d.pq("select count(*) from te");
        d.call("commit", d.conn::commit);
        d.pq("select count(*) from missing_te");
        d.tx();
        d.pq("insert into te values (?)", 3);
        d.pq("select count(*) from te");
        d.call("commit", d.conn::commit);
        d.tx();
        d.pq("select count(*) from te");
        d.call("commit", d.conn::commit);
        d.close();
        // With autosave, the same statements recover.
        c.conn.setAutoCommit(false);
        c.pq("select count(*) from missing_te");
        c.tx();
        c.pq("insert into te values (?)", 3);
        c.pq("select count(*) from te");
        c.pq("insert into te values (?)", 5);
        c.pq("select 1/0");
        c.call("commit", c.conn::commit);
        c.conn.setAutoCommit(true);
        c.pq("select count(*) from te");
        c.q("insert into te values (7); select 1/0; insert into te values (8)");
        c.pq("select count(*) from te");
        c.tx();
        c.close();
    }

    static void cancelRunning(C c, C w, String sql) throws Exception {
        Statement st = c.conn.createStatement();
        Thread t = new Thread(() -> {
            try {
                st.execute(sql);
                c.p("not cancelled");
            } catch (SQLException e) {
                c.p(errline(e));
            }
        });
        t.start();
        long deadline = System.currentTimeMillis() + 10000;
        try (PreparedStatement ps = w.conn.prepareStatement("select count(*) from pg_stat_activity where query = ? and state = 'active'")) {
            ps.setString(1, sql);
            while (System.currentTimeMillis() < deadline) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) > 0) break;
                }
                Thread.sleep(10);
            }
        }
        st.cancel();
        t.join(20000);
        st.close();
    }

    static void timeoutCancel() throws Exception {
        C c = new C();
        c.q("set statement_timeout = '200ms'");
        c.pq("select pg_sleep(5)");
        c.q("select count(*) from generate_series(1, 500000000)");
        c.q("reset statement_timeout");
        c.pq("show statement_timeout");
        // setQueryTimeout: the driver sends a CancelRequest after 1s.
        try (Statement st = c.conn.createStatement()) {
            st.setQueryTimeout(1);
            st.execute("select pg_sleep(20)");
            c.p("not cancelled");
        } catch (SQLException e) {
            c.p(errline(e));
        }
        c.pq("select 1");
        C w = new C("W", null);
        cancelRunning(c, w, "select pg_sleep(20)");
        c.pq("select 2");
        c.conn.setAutoCommit(false);
        c.q("create table tc (id int)");
        cancelRunning(c, w, "select pg_sleep(21)");
        c.tx();
        c.pq("select count(*) from pg_class where relname = 'tc'");
        c.call("rollback", c.conn::rollback);
        c.conn.setAutoCommit(true);
        c.pq("select count(*) from pg_class where relname = 'tc'");
        c.tx();
        c.close();
        w.close();
    }

    static void largeRows() throws Exception {
        C c = new C();
        c.pq("select length(repeat('x', 10000000)), md5(repeat('x', 10000000))");
        c.pq("select repeat('ab', 4000000)");
        c.q("create table lr (id int, t text, b bytea)");
        String big = "0123456789abcdef".repeat(6 << 16);
        byte[] bin = new byte[3 << 20];
        for (int i = 0; i < bin.length; i += 4) {
            bin[i] = 0;
            bin[i + 1] = 1;
            bin[i + 2] = (byte) 0xfe;
            bin[i + 3] = (byte) 0xff;
        }
        c.pq("insert into lr values (?, ?, ?)", 1, big, bin);
        c.pq("select length(t), md5(t), length(b), md5(b) from lr");
        c.pq("select t, b from lr");
        c.q("insert into lr select 2, repeat(t, 3), b || b from lr where id = 1");
        c.pq("select id, length(t), md5(t), length(b) from lr order by id");
        try (Statement st = c.conn.createStatement(); ResultSet rs = st.executeQuery("select g, repeat(md5(g::text), 20) from generate_series(1, 20000) g")) {
            StringBuilder all = new StringBuilder();
            int n = 0;
            while (rs.next()) {
                all.append(rs.getInt(1)).append(' ').append(rs.getString(2)).append('\n');
                n++;
            }
            c.p("rows " + n + " " + digest(all.toString().getBytes(StandardCharsets.UTF_8)));
        }
        c.tx();
        c.close();
    }

    static void batch(C c, PreparedStatement ps) {
        try {
            int[] counts = ps.executeBatch();
            c.p("batch: " + java.util.Arrays.toString(counts));
        } catch (SQLException e) {
            c.p("batch " + errline(e));
            for (SQLException n = e.getNextException(); n != null; n = n.getNextException()) c.p("  next " + errline(n));
        }
    }

    static void pipeline() throws Exception {
        C c = new C();
        c.q("create table pl (id int primary key, v text)");
        // executeBatch: Bind/Execute per row, one Sync.
        try (PreparedStatement ps = c.conn.prepareStatement("insert into pl values (?, ?)")) {
            for (int i = 1; i <= 20; i++) {
                ps.setInt(1, i);
                ps.setString(2, "b" + i);
                ps.addBatch();
            }
            batch(c, ps);
            c.pq("select count(*), sum(id) from pl");
            for (int id : new int[] {100, 1, 101}) {
                ps.setInt(1, id);
                ps.setString(2, "x");
                ps.addBatch();
            }
            batch(c, ps);
            c.pq("select count(*) from pl");
            c.conn.setAutoCommit(false);
            c.pq("select count(*) from pl");
            for (int i = 200; i < 210; i++) {
                ps.setInt(1, i);
                ps.setString(2, "t");
                ps.addBatch();
            }
            batch(c, ps);
            c.pq("select count(*) from pl");
            for (int id : new int[] {300, 200}) {
                ps.setInt(1, id);
                ps.setString(2, "x");
                ps.addBatch();
            }
            batch(c, ps);
            c.tx();
            c.pq("select count(*) from pl");
            c.call("commit", c.conn::commit);
            c.conn.setAutoCommit(true);
        }
        try (Statement st = c.conn.createStatement()) {
            st.addBatch("insert into pl values (400, 'st')");
            st.addBatch("update pl set v = 'u' where id <= 5");
            st.addBatch("delete from pl where id = 400");
            c.p("statement batch: " + java.util.Arrays.toString(st.executeBatch()));
        } catch (SQLException e) {
            c.p(errline(e));
        }
        c.pq("select count(*), count(*) filter (where v = 'u') from pl");
        c.tx();
        c.close();
    }

    static void mixedProtocol() throws Exception {
        // extendedForPrepared: plain Statements use the simple protocol,
        // PreparedStatements the extended one.
        C c = new C("", "preferQueryMode=extendedForPrepared");
        c.q("create table mx (id int primary key, v text)");
        c.pq("insert into mx values (?, ?)", 1, "ext");
        c.q("insert into mx values (2, 'simple')");
        c.q("select id, v from mx order by id");
        c.pq("select id, v from mx where id > ? order by id", 0);
        c.conn.setAutoCommit(false);
        c.pq("select count(*) from mx");
        c.pq("insert into mx values (?, ?)", 3, "ext in tx");
        c.q("select count(*) from mx");
        c.q("insert into mx values (4, 'simple in tx')");
        c.pq("select count(*) from mx where id > ?", 0);
        c.call("commit", c.conn::commit);
        c.conn.setAutoCommit(true);
        c.q("insert into mx values (5, 'multi'); select count(*) from mx; update mx set v = 'u' where id = 5");
        c.pq("select v from mx where id = ?", 5);
        c.q("begin; insert into mx values (6, 'multi tx')");
        c.pq("select count(*) from mx");
        c.q("commit");
        c.q("select id from mx order by id");
        c.pq("select ?::int + 1", 41);
        c.tx();
        c.close();
    }

    static void setTemp() throws Exception {
        C c = new C();
        c.q("set application_name = 'conformance'");
        c.q("show application_name");
        c.pq("select current_setting('application_name')");
        // PgJDBC insists on DateStyle ISO: IntervalStyle shows the same.
        c.q("set intervalstyle = 'iso_8601'");
        c.pq("select interval '1 day 2 hours'::text");
        c.q("set search_path = nosuch, public");
        c.q("show search_path");
        c.q("reset search_path");
        c.q("create temp table tt (id int, v text)");
        c.pq("insert into tt values (?, ?)", 1, "temp");
        c.q("select id, v from tt");
        c.pq("select count(*) from tt where id = ?", 1);
        c.conn.setAutoCommit(false);
        c.q("set local intervalstyle = 'sql_standard'");
        c.pq("select interval '1 day 2 hours'::text");
        c.q("create temp table tt2 (id int) on commit drop");
        c.q("insert into tt2 values (1), (2)");
        c.pq("select count(*) from tt2");
        c.call("commit", c.conn::commit);
        c.conn.setAutoCommit(true);
        c.pq("select interval '1 day 2 hours'::text");
        c.pq("select count(*) from tt2");
        c.q("set default_transaction_read_only = on");
        c.q("create table ro (id int)");
        c.q("reset default_transaction_read_only");
        c.q("create table ro (id int)");
        c.q("drop table tt");
        c.pq("select * from tt");
        c.q("reset all");
        c.q("show intervalstyle");
        c.q("discard temp");
        c.tx();
        c.close();
    }

    static void twoPhase() throws Exception {
        C c = new C();
        c.q("create table tp (id int primary key)");
        c.conn.setAutoCommit(false);
        c.pq("insert into tp values (?)", 1);
        c.q("prepare transaction 'conf_g1'");
        c.tx();
        c.conn.setAutoCommit(true);
        c.pq("select count(*) from tp");
        c.pq("select gid from pg_prepared_xacts where gid like 'conf%' order by gid");
        c.q("commit prepared 'conf_g1'");
        c.pq("select count(*) from tp");
        c.q("begin");
        c.pq("select count(*) from tp");
        c.pq("insert into tp values (?)", 3);
        c.q("prepare transaction 'conf_g3'");
        c.q("rollback prepared 'conf_g3'");
        c.q("begin");
        c.pq("select count(*) from tp");
        c.q("prepare transaction 'conf_g4'");
        c.q("commit prepared 'conf_g4'");
        c.q("commit prepared 'conf_nonexistent'");
        c.q("begin");
        c.q("commit prepared 'conf_g1'");
        c.q("rollback");
        c.pq("select array_agg(id order by id) from tp");
        c.tx();
        c.close();
    }

    public static void main(String[] args) throws Exception {
        host = args[0];
        port = args[1];
        user = args[2];
        db = args[3];
        Map<String, Scenario> all = new LinkedHashMap<>();
        all.put("autocommit", Conformance::autocommit);
        all.put("tx_read_after_write", Conformance::txReadAfterWrite);
        all.put("savepoint", Conformance::savepoint);
        all.put("prepared_reuse", Conformance::preparedReuse);
        all.put("cursor_fetch", Conformance::cursorFetch);
        all.put("copy", Conformance::copy);
        all.put("listen_notify", Conformance::listenNotify);
        all.put("tx_errors", Conformance::txErrors);
        all.put("timeout_cancel", Conformance::timeoutCancel);
        all.put("large_rows", Conformance::largeRows);
        all.put("pipeline", Conformance::pipeline);
        all.put("mixed_protocol", Conformance::mixedProtocol);
        all.put("set_temp", Conformance::setTemp);
        all.put("two_phase", Conformance::twoPhase);
        for (int i = 4; i < args.length; i++) {
            out("== " + args[i]);
            try {
                all.get(args[i]).run();
            } catch (Exception e) {
                out("!! " + e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).split("\n")[0]);
            }
            out("== end");
        }
        System.exit(0);
    }
}
