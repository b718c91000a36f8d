package org.meterhub.engine.billing;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.CustomerClass;

/**
 * Tariffs, their dated versions and the accounts' tier variants in the store's database (tables
 * {@code tariffs}, {@code tariff_versions}, {@code billing_account_variants}, migration V8).
 * A stored version never changes: loading a file again keeps equal versions, adds newer ones
 * and refuses any change to a stored one, all in one transaction.
 */
public final class JdbcTariffs {
    static final DateTimeFormatter MONTH_DAY = DateTimeFormatter.ofPattern("MM-dd");

    /** What a load did. */
    public record LoadResult(int tariffsAdded, int versionsAdded, int versionsUnchanged) {
    }

    private final SqlDatabase db;

    public JdbcTariffs(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    public TariffBook book() {
        return db.tx("read tariffs", this::book);
    }

    TariffBook book(Connection c) throws SQLException {
        record Head(String id, String classes, String yearStart) {
        }
        List<Head> heads = SqlDatabase.query(c, "select tariff_id, classes, year_start from tariffs", ps -> { },
                rs -> new Head(rs.getString(1), rs.getString(2), rs.getString(3)));
        Map<String, List<TariffVersion>> versions = new LinkedHashMap<>();
        SqlDatabase.query(c, "select tariff_id, valid_from, definition from tariff_versions", ps -> { }, rs -> {
            versions.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                    .add(TariffCodec.decode(LocalDate.parse(rs.getString(2)), rs.getString(3)));
            return null;
        });
        List<Tariff> tariffs = new ArrayList<>();
        for (Head h : heads) {
            List<CustomerClass> classes = Arrays.stream(h.classes().split(","))
                    .map(s -> CustomerClass.valueOf(s.toUpperCase())).toList();
            tariffs.add(new Tariff(h.id(), Tariff.classesOf(classes), MonthDay.parse("--" + h.yearStart()),
                    versions.getOrDefault(h.id(), List.of())));
        }
        return new TariffBook(tariffs);
    }

    /**
     * Stores the file's tariffs: new tariffs and versions are added; a stored tariff's classes and
     * year start, and a stored version's prices, must be as stored; a new version must start after
     * the newest stored one (days already in force may be billed). All or nothing.
     */
    public LoadResult load(TariffBook file, Instant now) {
        return db.tx("load tariffs", c -> {
            TariffBook stored = book(c);
            int tariffsAdded = 0;
            int added = 0;
            int unchanged = 0;
            List<Tariff> merged = new ArrayList<>();
            for (Tariff t : file.tariffs()) {
                Optional<Tariff> old = stored.byId(t.id());
                if (old.isEmpty()) {
                    SqlDatabase.update(c, "insert into tariffs (tariff_id, classes, year_start, loaded_at) values (?, ?, ?, ?)", ps -> {
                        ps.setString(1, t.id());
                        ps.setString(2, classes(t));
                        ps.setString(3, t.yearStart().format(MONTH_DAY));
                        db.bindTime(ps, 4, now);
                    });
                    tariffsAdded++;
                    for (TariffVersion v : t.versions()) insert(c, t.id(), v, now);
                    added += t.versions().size();
                    merged.add(t);
                    continue;
                }
                Tariff s = old.get();
                if (!s.classes().equals(t.classes()) || !s.yearStart().equals(t.yearStart())) {
                    throw new TariffException("tariff " + t.id() + ": classes and year-start are stored as " + classes(s)
                            + " / " + s.yearStart().format(MONTH_DAY) + " and cannot change; got " + classes(t) + " / "
                            + t.yearStart().format(MONTH_DAY));
                }
                LocalDate newest = s.versions().get(s.versions().size() - 1).validFrom();
                List<TariffVersion> more = new ArrayList<>();
                for (TariffVersion v : t.versions()) {
                    Optional<TariffVersion> same = s.versions().stream().filter(x -> x.validFrom().equals(v.validFrom())).findFirst();
                    if (same.isPresent()) {
                        if (!same.get().samePrices(v)) {
                            throw new TariffException("tariff " + t.id() + ": the stored version from " + v.validFrom()
                                    + " differs from the file's; stored versions never change (bills use them): add a new version");
                        }
                        unchanged++;
                    } else if (!v.validFrom().isAfter(newest)) {
                        throw new TariffException("tariff " + t.id() + ": a new version from " + v.validFrom()
                                + " must start after the newest stored one (" + newest + ")");
                    } else {
                        more.add(v);
                    }
                }
                for (TariffVersion v : more) insert(c, t.id(), v, now);
                added += more.size();
                merged.add(s.withVersions(more));
            }
            stored.tariffs().stream().filter(s -> file.byId(s.id()).isEmpty()).forEach(merged::add);
            new TariffBook(merged); // one tariff per class, across stored and loaded
            return new LoadResult(tariffsAdded, added, unchanged);
        });
    }

    private void insert(Connection c, String tariffId, TariffVersion v, Instant now) throws SQLException {
        SqlDatabase.update(c, "insert into tariff_versions (tariff_id, valid_from, definition, loaded_at) values (?, ?, ?, ?)", ps -> {
            ps.setString(1, tariffId);
            ps.setString(2, v.validFrom().toString());
            ps.setString(3, TariffCodec.encode(v));
            db.bindTime(ps, 4, now);
        });
    }

    private static String classes(Tariff t) {
        return t.classes().stream().map(x -> x.name().toLowerCase()).sorted().collect(Collectors.joining(","));
    }

    /** Sets the account's tier variants (master data; bills record the variants they used). */
    public void setVariants(String accountId, List<String> variants, Instant now) {
        db.tx("set account variants", c -> SqlDatabase.update(c, "insert into billing_account_variants (account_id, variants,"
                + " updated_at) values (?, ?, ?) on conflict (account_id) do update set variants = excluded.variants,"
                + " updated_at = excluded.updated_at", ps -> {
                    ps.setString(1, accountId);
                    ps.setString(2, String.join(",", variants));
                    db.bindTime(ps, 3, now);
                }));
    }

    public List<String> variants(String accountId) {
        return db.tx("account variants", c -> variants(c, accountId));
    }

    /** Every account's variants (accounts without any left out). */
    public Map<String, List<String>> allVariants() {
        return db.tx("account variants", c -> {
            Map<String, List<String>> all = new LinkedHashMap<>();
            SqlDatabase.query(c, "select account_id, variants from billing_account_variants", ps -> { }, rs -> {
                List<String> v = split(rs.getString(2));
                if (!v.isEmpty()) all.put(rs.getString(1), v);
                return null;
            });
            return all;
        });
    }

    static List<String> variants(Connection c, String accountId) throws SQLException {
        return SqlDatabase.query(c, "select variants from billing_account_variants where account_id = ?",
                ps -> ps.setString(1, accountId), rs -> rs.getString(1)).stream().findFirst().map(JdbcTariffs::split)
                .orElse(List.of());
    }

    static List<String> split(String text) {
        return text == null || text.isBlank() ? List.of() : List.of(text.split(","));
    }
}
