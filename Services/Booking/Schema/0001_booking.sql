-- Booking service database: one row per booking (with its saga), the saga's step history,
-- client idempotency records and the payment notifications already applied.

CREATE TABLE bookings (
    id                  text PRIMARY KEY,
    user_id             text NOT NULL CHECK (user_id <> ''),
    event_id            bigint NOT NULL CHECK (event_id > 0),
    -- What was asked for: specific seats, best-available N, or N general-admission units.
    selection_kind      text NOT NULL CHECK (selection_kind IN ('specific', 'best_available', 'general_admission')),
    quantity            integer NOT NULL CHECK (quantity > 0),
    ga_pool_code        text NOT NULL DEFAULT '',
    -- The saga's step (BookingSaga.step.name) and the status clients see (NULL before a hold was granted).
    step                text NOT NULL,
    status              text CHECK (status IN ('held', 'paymentPending', 'confirmed', 'paymentFailed', 'expired',
                                               'cancelled', 'refunded')),
    terminal            boolean NOT NULL DEFAULT false,
    -- Optimistic concurrency: every saga write is conditional on the version it read.
    version             bigint NOT NULL CHECK (version >= 0),
    -- When the saga next needs a timer (hold expiry, retry, poll, a call presumed lost); NULL once terminal.
    wake_up_at          timestamptz,
    hold_id             text,
    amount_minor        bigint CHECK (amount_minor >= 0),
    currency            text CHECK (currency ~ '^[A-Z]{3}$'),
    expires_at          timestamptz,
    -- The seats inventory held, as BookedSeat JSON objects (empty for general admission).
    seats               jsonb NOT NULL DEFAULT '[]',
    payment_id          text NOT NULL DEFAULT '',
    payment_outcome     text CHECK (payment_outcome IN ('captured', 'declined', 'notCharged', 'refunded')),
    failure_reason      text NOT NULL DEFAULT '',
    -- The whole saga (BookingSaga as JSON): the truth the columns above are indexed copies of.
    saga                jsonb NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CHECK (NOT terminal OR wake_up_at IS NULL),
    CHECK (status IS NULL OR hold_id IS NOT NULL)
);

CREATE INDEX bookings_by_user ON bookings (user_id, event_id, created_at, id);
-- The recovery worker's scan: non-terminal sagas by wake-up time.
CREATE INDEX bookings_due ON bookings (wake_up_at) WHERE NOT terminal;

-- Every accepted saga transition, written in the same statement batch as the saga itself:
-- the audit trail of which step was persisted before which external call.
CREATE TABLE saga_steps (
    booking_id          text NOT NULL REFERENCES bookings (id),
    version             bigint NOT NULL,
    step                text NOT NULL,
    event               text NOT NULL,
    recorded_at         timestamptz NOT NULL,
    PRIMARY KEY (booking_id, version)
);

-- Client idempotency keys: one per (user, operation, key). The fingerprint is the request's
-- parameters; a reuse with other parameters is refused. The response is stored once known.
CREATE TABLE idempotency_records (
    user_id             text NOT NULL,
    operation           text NOT NULL CHECK (operation IN ('hold', 'checkout', 'cancel')),
    key                 text NOT NULL CHECK (key <> ''),
    fingerprint         text NOT NULL,
    booking_id          text NOT NULL,
    response            bytea,
    created_at          timestamptz NOT NULL,
    PRIMARY KEY (user_id, operation, key)
);

-- Payment outcome notifications already applied (payment's outbox redelivers until acknowledged).
CREATE TABLE payment_notifications (
    id                  text PRIMARY KEY,
    booking_id          text NOT NULL,
    outcome             text NOT NULL,
    received_at         timestamptz NOT NULL
);
