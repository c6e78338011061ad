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

func (b countingBatch) Send(ctx context.Context, msg notify.Message, ready func() error) error {
	err := b.Batch.Send(ctx, msg, ready)
	if err != nil {
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
