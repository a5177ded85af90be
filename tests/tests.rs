//! The one integration test binary (each extra binary would link DataFusion again).

mod support;

mod bad_input;
mod golden_decode;
mod live_capture;
mod readme;
mod synth_roundtrip;
