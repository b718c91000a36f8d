package org.meterhub.engine.estimation;

import java.util.Objects;
import java.util.Optional;

/** What estimation decided for one account: an estimate, or a refusal (with follow-up work). */
public sealed interface Decision {

    /** Why an estimate was not made. */
    enum Refusal {
        NOT_RESIDENTIAL, TOO_FEW_FAILED_READS, ESTIMATED_LAST_CYCLE, QUOTA_REACHED, NO_HISTORY
    }

    record Estimated(Estimate estimate) implements Decision {
        public Estimated {
            Objects.requireNonNull(estimate, "estimate");
        }
    }

    record Refused(Refusal refusal, String reason, Optional<WorkItem> followUp) implements Decision {
        public Refused {
            Objects.requireNonNull(refusal, "refusal");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(followUp, "followUp");
        }
    }
}
