package ops

import (
	"context"

	"chuyenhoa/notify"
)

// CountErrors wraps t so that every error it returns (connect, login, a
// refused message, a failed QUIT) adds one to chuyenhoa_smtp_errors_total.
// The sender's per-message outcomes are counted apart, through
// ObserveMail.
func (m *Metrics) CountErrors(t notify.Transport) notify.Transport {
	return countingTransport{Transport: t, m: m}
}

type countingTransport struct {
	notify.Transport
	m *Metrics
}

func (t countingTransport) Open(ctx context.Context) (notify.Batch, error) {
	b, err := t.Transport.Open(ctx)
	if err != nil {
		t.m.ObserveSMTPError()
		return nil, err
	}
	return countingBatch{Batch: b, m: t.m}, nil
}

type countingBatch struct {
	notify.Batch
	m *Metrics
}

// Send counts the transport's errors only: a failure of ready (the
// store's mark of the message before, which stops the drain) is not the
// mail server's.
func (b countingBatch) Send(ctx context.Context, msg notify.Message, ready func() error) error {
	var readyErr error
	check := ready
	if ready != nil {
		check = func() error { readyErr = ready(); return readyErr }
	}
	err := b.Batch.Send(ctx, msg, check)
	if err != nil && readyErr == nil {
		b.m.ObserveSMTPError()
	}
	return err
}

func (b countingBatch) Close() error {
	err := b.Batch.Close()
	if err != nil {
		b.m.ObserveSMTPError()
	}
	return err
}
