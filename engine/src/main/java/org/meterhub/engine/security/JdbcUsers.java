package org.meterhub.engine.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.meterhub.engine.jdbc.SqlDatabase;

/**
 * Users, their roles, passwords and API tokens in the store (tables {@code users}, {@code user_disabled},
 * {@code user_tokens}, {@code user_token_revoked}; migration V12). Rows are only ever added: disabling a
 * user or revoking a token is a new row, so who did what to an account stays visible.
 */
public final class JdbcUsers {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9._-]{1,63}");
    private static final String ACTIVE = " and not exists (select 1 from user_disabled d where d.user_name = u.name)";
    private final SqlDatabase db;
    private final PasswordHasher hasher;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /** One user as listed. */
    public record User(String name, Role role, boolean hasPassword, Instant createdAt, String createdBy,
                       Optional<Instant> disabledAt) {
    }

    public JdbcUsers(SqlDatabase db, PasswordHasher hasher, Clock clock) {
        this.db = Objects.requireNonNull(db, "db");
        this.hasher = Objects.requireNonNull(hasher, "hasher");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param password null for a token-only user (a service, a Prometheus scraper)
     * @throws IllegalArgumentException for a bad name or a name that exists
     */
    public void add(String name, Role role, char[] password, String by) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: expected 2-64 lower-case letters, digits, '.', '_' or '-', starting with a"
                    + " letter, got \"" + name + "\"");
        }
        if (password != null && password.length < 12) {
            throw new IllegalArgumentException("password: at least 12 characters");
        }
        String hash = password == null ? null : hasher.hash(password);
        db.tx("add user", c -> {
            if (!SqlDatabase.query(c, "select 1 from users where name = ?", ps -> ps.setString(1, name), rs -> 1).isEmpty()) {
                throw new IllegalArgumentException("user " + name + " exists (users are never changed in place: disable it"
                        + " and add another name)");
            }
            SqlDatabase.update(c, "insert into users (name, role, password_hash, created_at, created_by) values (?, ?, ?, ?, ?)",
                    ps -> {
                        ps.setString(1, name);
                        ps.setString(2, role.wire());
                        ps.setString(3, hash);
                        db.bindTime(ps, 4, clock.instant());
                        ps.setString(5, by);
                    });
            return null;
        });
    }

    public List<User> list() {
        return db.tx("list users", c -> SqlDatabase.query(c, "select u.name, u.role, u.password_hash is not null, u.created_at,"
                + " u.created_by, (select min(d.disabled_at) from user_disabled d where d.user_name = u.name) from users u"
                + " order by u.name", ps -> { }, rs -> new User(rs.getString(1), Role.parse(rs.getString(2)), rs.getBoolean(3),
                db.readTime(rs, 4), rs.getString(5), db.readOptionalTime(rs, 6))));
    }

    /** @throws IllegalArgumentException for an unknown user */
    public void disable(String name, String by, String reason) {
        db.tx("disable user", c -> {
            requireUser(c, name);
            SqlDatabase.update(c, "insert into user_disabled (user_name, disabled_at, disabled_by, reason) values (?, ?, ?, ?)",
                    ps -> {
                        ps.setString(1, name);
                        db.bindTime(ps, 2, clock.instant());
                        ps.setString(3, by);
                        ps.setString(4, reason == null ? "" : reason);
                    });
            return null;
        });
    }

    /**
     * A new API token for an active user; the returned text is the only time it exists outside the
     * caller (the store keeps its SHA-256).
     */
    public String issueToken(String name, String label, Optional<Instant> expiresAt, String by) {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String token = "mh_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        // One statement that writes only if the user is active: on SQLite a read followed by a write in one
        // transaction fails at once (SQLITE_BUSY_SNAPSHOT, no busy wait) when another connection wrote in between,
        // which a store under ingest does many times a second; a lone insert waits for the write lock instead.
        int added = db.tx("issue token", c -> SqlDatabase.update(c, "insert into user_tokens (token_hash, user_name, label,"
                + " created_at, created_by, expires_at) select ?, u.name, ?, ?, ?, ? from users u where u.name = ?" + ACTIVE,
                ps -> {
                    ps.setString(1, sha256(token));
                    ps.setString(2, label == null ? "" : label);
                    db.bindTime(ps, 3, clock.instant());
                    ps.setString(4, by);
                    db.bindTime(ps, 5, expiresAt);
                    ps.setString(6, name);
                }));
        if (added != 1) {
            throw new IllegalArgumentException("no active user " + name);
        }
        return token;
    }

    /**
     * A console session: a token of {@code name} that expires {@code valid} from now by this repository's clock
     * (the one {@link #byToken} checks it with, whatever clock the caller shows pages on).
     */
    public String issueSession(String name, java.time.Duration valid, String label) {
        return issueToken(name, label, Optional.of(clock.instant().plus(valid)), name);
    }

    /**
     * Revokes a token: from now on {@link #byToken} refuses it (a console logout, a leaked token).
     *
     * <p>The revocation is a row of its own in {@code user_token_revoked} (V12), not a {@code revoked_at} column
     * set on the token's row: the token row stays exactly as it was issued, and who ended it and when is a fact
     * added beside it, as disabling a user is. The table's key makes it at most once: revoking a revoked token
     * again keeps the first revocation (when the token really stopped working) and changes nothing.
     *
     * @return true when this call revoked it; false for a token that is unknown or already revoked
     */
    public boolean revoke(String token, String by) {
        String hash = sha256(token);
        return db.tx("revoke token", c -> SqlDatabase.update(c, "insert into user_token_revoked (token_hash, revoked_at,"
                + " revoked_by) select t.token_hash, ?, ? from user_tokens t where t.token_hash = ?"
                + " on conflict (token_hash) do nothing", ps -> {
                    db.bindTime(ps, 1, clock.instant());
                    ps.setString(2, by);
                    ps.setString(3, hash);
                }) == 1);
    }

    /** The active user with this password, if any (an unknown user costs a hash too, so timing tells nothing). */
    public Optional<Principal> byPassword(String name, char[] password) {
        List<String[]> rows = db.tx("look up user", c -> SqlDatabase.query(c, "select u.role, u.password_hash from users u"
                + " where u.name = ?" + ACTIVE, ps -> ps.setString(1, name), rs -> new String[] {rs.getString(1), rs.getString(2)}));
        if (rows.isEmpty() || rows.get(0)[1] == null) {
            hasher.verify(password, DUMMY);
            return Optional.empty();
        }
        return hasher.verify(password, rows.get(0)[1]) ? Optional.of(new Principal(name, Role.parse(rows.get(0)[0])))
                : Optional.empty();
    }

    /** The active user holding this unexpired, unrevoked token, if any. */
    public Optional<Principal> byToken(String token) {
        Instant now = clock.instant();
        List<Principal> rows = db.tx("look up token", c -> SqlDatabase.query(c, "select u.name, u.role from user_tokens t"
                + " join users u on u.name = t.user_name where t.token_hash = ? and (t.expires_at is null or t.expires_at > ?)"
                + " and not exists (select 1 from user_token_revoked r where r.token_hash = t.token_hash)" + ACTIVE, ps -> {
                    ps.setString(1, sha256(token));
                    db.bindTime(ps, 2, now);
                }, rs -> new Principal(rs.getString(1), Role.parse(rs.getString(2)))));
        return rows.stream().findFirst();
    }

    /** True when no user exists yet: the first one must be added from the command line. */
    public boolean none() {
        return db.tx("count users", c -> SqlDatabase.query(c, "select count(*) from users", ps -> { }, rs -> rs.getLong(1)))
                .get(0) == 0;
    }

    private static void requireUser(java.sql.Connection c, String name) throws java.sql.SQLException {
        if (SqlDatabase.query(c, "select 1 from users where name = ?", ps -> ps.setString(1, name), rs -> 1).isEmpty()) {
            throw new IllegalArgumentException("no user " + name);
        }
    }

    private static final String DUMMY = PasswordHasher.defaults().hash("not a password of anyone".toCharArray());

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
