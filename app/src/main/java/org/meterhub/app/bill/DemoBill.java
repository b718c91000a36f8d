package org.meterhub.app.bill;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.billing.Bill;
import org.meterhub.engine.billing.BillRun;
import org.meterhub.engine.billing.Billing;
import org.meterhub.engine.billing.TariffBook;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * The demo's last words: one real bill of a simulated account, computed from what the run stored.
 * The demo store gets an account for the sample meter and, when it has no residential tariff, the
 * bundled example tariff. The cycle is still open, so the bill is a dry run: nothing is stored.
 */
public final class DemoBill {
    private DemoBill() {
    }

    public static void print(TimeSeriesStore store, String url, String meterId, Instant simEnd, ZoneId zone, PrintWriter out) {
        if (SqlDatabase.isPrivateMemory(url)) return;
        String accountId = "demo-" + meterId;
        LocalDate day = LocalDate.ofInstant(simEnd, zone);
        YearMonth cycle = day.getDayOfMonth() <= 14 ? YearMonth.from(day) : YearMonth.from(day).plusMonths(1);
        if (store.accounts(null).stream().noneMatch(a -> a.accountId().equals(accountId))) {
            store.saveAccount(new Account(accountId, meterId, AccountState.IGNITED, CustomerClass.RESIDENTIAL, null,
                    day.minusYears(1), simEnd));
        }
        try (Billing billing = Billing.open(store, url)) {
            if (billing.tariffs().book().forClass(CustomerClass.RESIDENTIAL).isEmpty()) {
                billing.tariffs().load(example(), simEnd);
            }
            AtomicReference<Bill> bill = new AtomicReference<>();
            billing.run(Clock.fixed(simEnd, zone)).run(cycle, true, false, new BillRun.Listener() {
                @Override
                public void outcome(BillRun.Outcome o) {
                    if (o.accountId().equals(accountId)) o.bill().ifPresent(bill::set);
                }
            });
            Optional.ofNullable(bill.get()).ifPresent(b -> {
                out.printf("a bill of simulated account %s (cycle %s is still open: computed from the stored readings, not stored):%n",
                        accountId, cycle);
                BillCommand.print(out, b, zone);
                out.printf("  ./meterhub bill run --cycle %s --store '%s' && ./meterhub bill show --account %s --cycle %s --store '%s'%n",
                        cycle, url, accountId, cycle, url);
            });
        } catch (RuntimeException e) {
            out.println("no demo bill: " + e.getMessage());
        }
        out.flush();
    }

    static TariffBook example() {
        try (InputStream in = DemoBill.class.getResourceAsStream("example-tariffs.yaml")) {
            String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            TariffFile f = new ConfigLoader().parse("example-tariffs.yaml", yaml, TariffFile.class);
            return new TariffBook(f.tariffs().stream().map(TariffFile.TariffSection::tariff).toList());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the bundled example tariff", e);
        }
    }
}
