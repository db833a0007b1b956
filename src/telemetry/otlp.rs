//! OpenTelemetry export over OTLP/HTTP (protobuf), for `--otlp-endpoint`. The batch processor runs
//! on its own thread and sends with a blocking client, so a slow collector never holds up a
//! request; the guard flushes what is left on exit.

use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState, TracerProvider,
};
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::Layer;

use super::TraceParent;

/// Flushes and stops the exporter when dropped.
pub struct OtlpGuard(SdkTracerProvider);

impl Drop for OtlpGuard {
    fn drop(&mut self) {
        if let Err(e) = self.0.shutdown() {
            eprintln!("OTLP: last spans not exported: {e}");
        }
    }
}

type Boxed<S> = Box<dyn Layer<S> + Send + Sync>;

/// The export layer: the gateway's spans (not its log events, not other crates' spans).
pub(super) fn layer<S>(endpoint: &str) -> anyhow::Result<(Boxed<S>, OtlpGuard)>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a> + Send + Sync,
{
    let endpoint = endpoint.trim_end_matches('/');
    let url = if endpoint.ends_with("/v1/traces") {
        endpoint.to_owned()
    } else {
        format!("{endpoint}/v1/traces")
    };
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(url)
        .build()
        .map_err(|e| anyhow::anyhow!("--otlp-endpoint {endpoint}: {e}"))?;
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            Resource::builder()
                .with_service_name("seam-graphql")
                .build(),
        )
        .build();
    let tracer = provider.tracer("seam-graphql");
    let layer = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_filter(filter_fn(|meta| {
            meta.is_span() && meta.target().starts_with("seam_graphql")
        }))
        .boxed();
    Ok((layer, OtlpGuard(provider)))
}

pub(super) fn current_traceparent() -> Option<String> {
    let context = tracing::Span::current().context();
    let span = context.span();
    let sc = span.span_context();
    sc.is_valid().then(|| {
        super::traceparent::format_header(
            &sc.trace_id().to_bytes(),
            &sc.span_id().to_bytes(),
            sc.trace_flags().to_u8(),
        )
    })
}

pub(super) fn current_trace_id() -> Option<String> {
    let context = tracing::Span::current().context();
    let span = context.span();
    let sc = span.span_context();
    sc.is_valid().then(|| sc.trace_id().to_string())
}

pub(super) fn set_remote_parent(span: &tracing::Span, caller: &TraceParent) {
    let remote = SpanContext::new(
        TraceId::from_bytes(caller.trace_id),
        SpanId::from_bytes(caller.parent_id),
        TraceFlags::new(caller.flags),
        true,
        TraceState::default(),
    );
    let _ = span.set_parent(opentelemetry::Context::new().with_remote_span_context(remote));
}
