-- Payment service schema, version 1 (PostgreSQL 15).
-- Payments (one per booking), their refunds, processed webhook event ids and the outbox of
-- outcomes for booking. Applied once by the migration runner, inside its transaction.

CREATE TABLE payments (
    id                       text        PRIMARY KEY,
    -- The idempotency key of Charge: one payment per booking.
    booking_id               text        NOT NULL UNIQUE CHECK (booking_id <> ''),
    amount_minor             bigint      NOT NULL CHECK (amount_minor > 0),
    currency                 text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status                   text        NOT NULL CHECK (status IN
                                         ('PENDING', 'CAPTURED', 'DECLINED', 'NOT_CHARGED', 'REFUNDED')),
    payment_token            text        NOT NULL,
    metadata                 jsonb       NOT NULL DEFAULT '{}'::jsonb,
    -- The key the provider knows the charge by (derived from booking_id).
    provider_idempotency_key text        NOT NULL UNIQUE,
    provider_charge_id       text        UNIQUE,
    -- Provider calls made: the charge call plus each reconciler check.
    attempts                 integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    decline_code             text        NOT NULL DEFAULT '',
    decline_message          text        NOT NULL DEFAULT '',
    -- Minor units refunded so far; never more than captured.
    refunded_minor           bigint      NOT NULL DEFAULT 0
                                         CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
    -- The payment must be decided before this instant (the booking's hold window).
    deadline                 timestamptz NOT NULL,
    -- Set while the charge call is in flight: retries are ABORTED, the reconciler waits.
    provider_call_deadline   timestamptz,
    -- When the reconciler next asks the provider about a PENDING payment.
    next_check_at            timestamptz,
    unresolved_checks        integer     NOT NULL DEFAULT 0 CHECK (unresolved_checks >= 0),
    overdue_alert_at         timestamptz,
    -- Optimistic concurrency: every update is `WHERE id = $1 AND version = $2`.
    version                  integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT payments_charge_known_once_captured
        CHECK (status NOT IN ('CAPTURED', 'REFUNDED') OR provider_charge_id IS NOT NULL),
    CONSTRAINT payments_refunds_only_after_capture
        CHECK (refunded_minor = 0 OR status IN ('CAPTURED', 'REFUNDED')),
    CONSTRAINT payments_refunded_means_all
        CHECK (status <> 'REFUNDED' OR refunded_minor = amount_minor)
);

-- The reconciler's scan: PENDING payments by their next look.
CREATE INDEX payments_pending_next_look
    ON payments ((coalesce(next_check_at, provider_call_deadline, created_at)))
    WHERE status = 'PENDING';

CREATE TABLE payment_refunds (
    id                 text        PRIMARY KEY,
    payment_id         text        NOT NULL REFERENCES payments (id),
    provider_refund_id text        NOT NULL UNIQUE,
    amount_minor       bigint      NOT NULL CHECK (amount_minor > 0),
    currency           text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    reason             text        NOT NULL DEFAULT '',
    -- Empty when the refund was learnt from a webhook before our own answer.
    idempotency_key    text        NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX payment_refunds_by_payment ON payment_refunds (payment_id);
CREATE UNIQUE INDEX payment_refunds_key_once
    ON payment_refunds (payment_id, idempotency_key) WHERE idempotency_key <> '';

-- Webhook events applied, so each is applied once (inserted in the transaction that applies it).
CREATE TABLE processed_webhook_events (
    event_id    text        PRIMARY KEY,
    payment_id  text        REFERENCES payments (id),
    event_type  text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

-- Outcomes to deliver to booking, written in the transaction that changes the payment's status,
-- retried until acknowledged.
CREATE TABLE outcome_outbox (
    -- "<payment id>/<STATUS>": stable, so booking can deduplicate redeliveries.
    id              text        PRIMARY KEY,
    payment_id      text        NOT NULL REFERENCES payments (id),
    booking_id      text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('CAPTURED', 'DECLINED', 'NOT_CHARGED', 'REFUNDED')),
    amount_minor    bigint      NOT NULL,
    currency        text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    failed_attempts integer     NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    acknowledged_at timestamptz,
    UNIQUE (payment_id, status)
);

-- The deliverer's scan: unacknowledged entries by due time.
CREATE INDEX outcome_outbox_due ON outcome_outbox (next_attempt_at) WHERE acknowledged_at IS NULL;
