//! The one integration test binary (each extra binary would link DataFusion again).

mod support;

mod golden_decode;
