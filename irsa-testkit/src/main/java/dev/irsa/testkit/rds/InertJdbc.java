package dev.irsa.testkit.rds;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Locale;
import java.util.Properties;

/**
 * The inert JDBC objects of {@link RdsIamDatabase}: a connection that is valid until closed (or its database is),
 * keeps the settings a pool sets, and answers {@code SELECT 1} with one row holding the integer 1. Everything else
 * that would return data is refused with {@link SQLFeatureNotSupportedException}; methods returning nothing are
 * no-ops. Not thread-safe beyond what JDBC promises (a connection used by one thread at a time).
 */
final class InertJdbc {
    private static final String ONLY = ": RdsIamDatabase checks IAM logins and answers SELECT 1 only; test queries on a"
            + " real database";

    private InertJdbc() {
    }

    static Connection connection(RdsIamDatabase db, String user, RdsAuthTokenVerifier.Verdict verdict) {
        return (Connection) Proxy.newProxyInstance(InertJdbc.class.getClassLoader(), new Class<?>[] {Connection.class},
                new ConnectionHandler(db, user, verdict));
    }

    /** Whether {@code sql} is the liveness check this database answers: {@code SELECT 1}, any case and spacing. */
    static boolean isSelectOne(String sql) {
        if (sql == null) {
            return false;
        }
        String s = sql.strip();
        if (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        return s.replaceAll("\\s+", " ").toLowerCase(Locale.ROOT).equals("select 1");
    }

    private static void requireSelectOne(String sql) throws SQLException {
        if (!isSelectOne(sql)) {
            throw new SQLFeatureNotSupportedException("Cannot run '" + sql + "'" + ONLY + ".", "0A000");
        }
    }

    /** Object's methods, or null if {@code m} is not one. */
    private static Object objectMethod(Object proxy, Method m, Object[] args, String name) {
        return switch (m.getName()) {
            case "toString" -> name;
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> null;
        };
    }

    private static boolean isObjectMethod(Method m) {
        return m.getDeclaringClass() == Object.class;
    }

    /** unwrap / isWrapperFor, or null if {@code m} is neither. */
    private static Object wrapper(Object proxy, Method m, Object[] args) throws SQLException {
        if (m.getName().equals("isWrapperFor")) {
            return ((Class<?>) args[0]).isInstance(proxy);
        }
        if (m.getName().equals("unwrap")) {
            if (((Class<?>) args[0]).isInstance(proxy)) {
                return proxy;
            }
            throw new SQLException("Not a wrapper for " + args[0]);
        }
        return null;
    }

    /** What an inert object answers to the rest: nothing for void, refused for anything that returns something. */
    private static Object rest(Method m) throws SQLException {
        if (m.getReturnType() == void.class) {
            return null;
        }
        throw new SQLFeatureNotSupportedException(m.getDeclaringClass().getSimpleName() + "." + m.getName()
                + " is not supported" + ONLY + ".", "0A000");
    }

    private static Object number(Class<?> type, int value) throws SQLException {
        if (type == int.class || type == Integer.class || type == Object.class || type == Number.class) {
            return value;
        }
        if (type == long.class || type == Long.class) {
            return (long) value;
        }
        if (type == short.class || type == Short.class) {
            return (short) value;
        }
        if (type == byte.class || type == Byte.class) {
            return (byte) value;
        }
        if (type == double.class || type == Double.class) {
            return (double) value;
        }
        if (type == float.class || type == Float.class) {
            return (float) value;
        }
        if (type == BigDecimal.class) {
            return BigDecimal.valueOf(value);
        }
        if (type == String.class) {
            return Integer.toString(value);
        }
        throw new SQLException("Cannot convert the integer " + value + " to " + type.getName(), "22000");
    }

    private abstract static class Handler implements java.lang.reflect.InvocationHandler {
        @Override
        public final Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            if (isObjectMethod(m)) {
                return objectMethod(proxy, m, args, name());
            }
            Object w = wrapper(proxy, m, args);
            if (w != null) {
                return w;
            }
            return handle(proxy, m, args == null ? new Object[0] : args);
        }

        abstract String name();

        abstract Object handle(Object proxy, Method m, Object[] args) throws Exception;
    }

    private static final class ConnectionHandler extends Handler {
        private final RdsIamDatabase db;
        private final String user;
        private final RdsAuthTokenVerifier.Verdict verdict;
        private volatile boolean closed;
        private boolean autoCommit = true;
        private boolean readOnly;
        private int isolation = Connection.TRANSACTION_READ_COMMITTED;
        private int networkTimeout;
        private String catalog;
        private String schema;

        ConnectionHandler(RdsIamDatabase db, String user, RdsAuthTokenVerifier.Verdict verdict) {
            this.db = db;
            this.user = user;
            this.verdict = verdict;
        }

        @Override
        String name() {
            return "RdsIamDatabase connection[" + user + "@" + db.host() + ":" + db.port() + ", signed by "
                    + verdict.accessKeyId() + (closed ? ", closed" : "") + "]";
        }

        @Override
        Object handle(Object proxy, Method m, Object[] args) throws Exception {
            switch (m.getName()) {
                case "isValid":
                    return !closed && !db.isClosed();
                case "isClosed":
                    return closed;
                case "close":
                    closed = true;
                    return null;
                default:
                    break;
            }
            check();
            switch (m.getName()) {
                case "getAutoCommit":
                    return autoCommit;
                case "setAutoCommit":
                    autoCommit = (Boolean) args[0];
                    return null;
                case "isReadOnly":
                    return readOnly;
                case "setReadOnly":
                    readOnly = (Boolean) args[0];
                    return null;
                case "getTransactionIsolation":
                    return isolation;
                case "setTransactionIsolation":
                    isolation = (Integer) args[0];
                    return null;
                case "getNetworkTimeout":
                    return networkTimeout;
                case "setNetworkTimeout":
                    networkTimeout = (Integer) args[1];
                    return null;
                case "getCatalog":
                    return catalog;
                case "setCatalog":
                    catalog = (String) args[0];
                    return null;
                case "getSchema":
                    return schema;
                case "setSchema":
                    schema = (String) args[0];
                    return null;
                case "getWarnings":
                    return null;
                case "getHoldability":
                    return ResultSet.CLOSE_CURSORS_AT_COMMIT;
                case "getClientInfo":
                    return args.length == 0 ? new Properties() : null;
                case "createStatement":
                    return statement((Connection) proxy, null);
                case "prepareStatement":
                    requireSelectOne((String) args[0]);
                    return statement((Connection) proxy, (String) args[0]);
                case "getMetaData":
                    return metaData((Connection) proxy);
                default:
                    return rest(m);
            }
        }

        /** Throws what JDBC throws on a connection that was closed or whose database was. */
        void check() throws SQLException {
            if (closed) {
                throw new SQLException("The connection is closed.", "08003");
            }
            if (db.isClosed()) {
                throw new SQLException("The RdsIamDatabase at " + db.host() + ":" + db.port() + " was closed.", "08006");
            }
        }

        private Statement statement(Connection connection, String prepared) {
            return (Statement) Proxy.newProxyInstance(InertJdbc.class.getClassLoader(),
                    new Class<?>[] {prepared == null ? Statement.class : PreparedStatement.class},
                    new StatementHandler(this, connection, prepared));
        }

        private DatabaseMetaData metaData(Connection connection) {
            return (DatabaseMetaData) Proxy.newProxyInstance(InertJdbc.class.getClassLoader(),
                    new Class<?>[] {DatabaseMetaData.class}, new Handler() {
                        @Override
                        String name() {
                            return "RdsIamDatabase metadata[" + db.jdbcUrl() + "]";
                        }

                        @Override
                        Object handle(Object proxy, Method m, Object[] args) throws Exception {
                            return switch (m.getName()) {
                                case "getDatabaseProductName", "getDriverName" -> "RdsIamDatabase";
                                case "getDatabaseProductVersion", "getDriverVersion" -> "1.0";
                                case "getDatabaseMajorVersion", "getDriverMajorVersion" -> 1;
                                case "getDatabaseMinorVersion", "getDriverMinorVersion" -> 0;
                                case "getJDBCMajorVersion" -> 4;
                                case "getJDBCMinorVersion" -> 2;
                                case "getURL" -> db.jdbcUrl();
                                case "getUserName" -> user;
                                case "getConnection" -> connection;
                                case "isReadOnly" -> readOnly;
                                case "getIdentifierQuoteString" -> "\"";
                                default -> m.getReturnType() == boolean.class ? Boolean.FALSE : rest(m);
                            };
                        }
                    });
        }
    }

    /** A statement: closed with its connection, and answers nothing once its connection or database is closed. */
    private static final class StatementHandler extends Handler {
        private final ConnectionHandler owner;
        private final Connection connection;
        private final String prepared;
        private boolean closed;
        private ResultSet current;

        StatementHandler(ConnectionHandler owner, Connection connection, String prepared) {
            this.owner = owner;
            this.connection = connection;
            this.prepared = prepared;
        }

        boolean isClosed() {
            return closed || owner.closed;
        }

        /** Throws what JDBC throws on a statement that was closed, or whose connection or database was. */
        void check() throws SQLException {
            if (closed) {
                throw new SQLException("The statement is closed.", "HY010");
            }
            owner.check();
        }

        @Override
        String name() {
            return "RdsIamDatabase statement" + (prepared == null ? "" : "[" + prepared + "]");
        }

        @Override
        Object handle(Object proxy, Method m, Object[] args) throws Exception {
            switch (m.getName()) {
                case "close":
                    closed = true;
                    return null;
                case "isClosed":
                    return isClosed();
                default:
                    break;
            }
            check();
            String sql = args.length > 0 && args[0] instanceof String s ? s : prepared;
            switch (m.getName()) {
                case "executeQuery":
                    requireSelectOne(sql);
                    current = resultSet(this, (Statement) proxy);
                    return current;
                case "execute":
                    requireSelectOne(sql);
                    current = resultSet(this, (Statement) proxy);
                    return true;
                case "getResultSet":
                    ResultSet r = current;
                    current = null;
                    return r;
                case "getUpdateCount":
                    return -1;
                case "getMoreResults":
                    current = null;
                    return false;
                case "getConnection":
                    return connection;
                case "getWarnings":
                    return null;
                case "getQueryTimeout", "getFetchSize", "getMaxRows", "getMaxFieldSize":
                    return 0;
                default:
                    return rest(m);
            }
        }
    }

    private static ResultSet resultSet(StatementHandler owner, Statement statement) {
        return (ResultSet) Proxy.newProxyInstance(InertJdbc.class.getClassLoader(), new Class<?>[] {ResultSet.class},
                new ResultSetHandler(owner, statement));
    }

    /**
     * One row, one column named {@code 1}, holding the integer 1: what {@code SELECT 1} returns. Closed with its
     * statement (and so its connection); answers nothing once its database is closed.
     */
    private static final class ResultSetHandler extends Handler {
        private final StatementHandler owner;
        private final Statement statement;
        private int row;
        private boolean closed;

        ResultSetHandler(StatementHandler owner, Statement statement) {
            this.owner = owner;
            this.statement = statement;
        }

        @Override
        String name() {
            return "RdsIamDatabase result of SELECT 1";
        }

        @Override
        Object handle(Object proxy, Method m, Object[] args) throws Exception {
            String name = m.getName();
            switch (name) {
                case "close":
                    closed = true;
                    return null;
                case "isClosed":
                    return closed || owner.isClosed();
                default:
                    break;
            }
            if (closed) {
                throw new SQLException("The result set is closed.", "HY010");
            }
            owner.check();
            switch (name) {
                case "next":
                    row++;
                    return row == 1;
                case "getRow":
                    return row == 1 ? 1 : 0;
                case "isBeforeFirst":
                    return row == 0;
                case "isAfterLast":
                    return row > 1;
                case "wasNull", "rowUpdated", "rowInserted", "rowDeleted":
                    return false;
                case "getWarnings":
                    return null;
                case "getStatement":
                    return statement;
                case "getType":
                    return ResultSet.TYPE_FORWARD_ONLY;
                case "getConcurrency":
                    return ResultSet.CONCUR_READ_ONLY;
                case "getFetchSize":
                    return 0;
                case "findColumn":
                    column(args[0]);
                    return 1;
                case "getMetaData":
                    return METADATA;
                default:
                    break;
            }
            if (name.startsWith("get") && args.length >= 1 && (args[0] instanceof Integer || args[0] instanceof String)) {
                column(args[0]);
                if (row != 1) {
                    throw new SQLException("No current row: call next() first.", "24000");
                }
                Class<?> type = name.equals("getObject") && args.length == 2 && args[1] instanceof Class<?> c ? c
                        : m.getReturnType();
                return number(type, 1);
            }
            return rest(m);
        }

        private static void column(Object column) throws SQLException {
            if (!(Integer.valueOf(1).equals(column) || "1".equals(column))) {
                throw new SQLException("No column " + column + ": SELECT 1 has one column, 1.", "42703");
            }
        }
    }

    private static final ResultSetMetaData METADATA = (ResultSetMetaData) Proxy.newProxyInstance(
            InertJdbc.class.getClassLoader(), new Class<?>[] {ResultSetMetaData.class}, new Handler() {
                @Override
                String name() {
                    return "RdsIamDatabase metadata of SELECT 1";
                }

                @Override
                Object handle(Object proxy, Method m, Object[] args) throws Exception {
                    if (m.getName().equals("getColumnCount")) {
                        return 1;
                    }
                    if (args.length == 1 && !Integer.valueOf(1).equals(args[0])) {
                        throw new SQLException("No column " + args[0] + ": SELECT 1 has one column.", "42703");
                    }
                    return switch (m.getName()) {
                        case "getColumnLabel", "getColumnName" -> "1";
                        case "getColumnType" -> Types.INTEGER;
                        case "getColumnTypeName" -> "INTEGER";
                        case "getColumnClassName" -> Integer.class.getName();
                        case "isNullable" -> ResultSetMetaData.columnNoNulls;
                        case "getColumnDisplaySize", "getPrecision" -> 10;
                        case "isSigned" -> true;
                        case "getSchemaName", "getTableName", "getCatalogName" -> "";
                        default -> m.getReturnType() == boolean.class ? Boolean.FALSE
                                : m.getReturnType() == int.class ? 0 : rest(m);
                    };
                }
            });
}
