package org.meterhub.engine.prepaid;

/** Receives what the ledger decides. Called on the thread that delivered the balance report. */
public interface PrepaidListener {
    void alarm(PrepaidAlarm alarm);

    void workItem(WorkItem item);
}
