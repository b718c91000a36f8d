package org.meterhub.engine.importing;

import java.util.ArrayList;
import java.util.List;

/** Where import conflicts go: the store's {@code import_conflicts} table ({@link JdbcImportConflicts}) or memory. */
public interface ImportConflicts {
    void save(List<ImportConflict> conflicts);

    List<ImportConflict> of(String meterId);

    /** Kept in a list (tests, in-memory stores). */
    static ImportConflicts inMemory() {
        List<ImportConflict> all = new ArrayList<>();
        return new ImportConflicts() {
            @Override
            public synchronized void save(List<ImportConflict> conflicts) {
                all.addAll(conflicts);
            }

            @Override
            public synchronized List<ImportConflict> of(String meterId) {
                return all.stream().filter(c -> c.meterId().equals(meterId)).toList();
            }
        };
    }
}
