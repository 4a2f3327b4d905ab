//! QR codes: the QRIS payload (EMVCo merchant-presented TLV) and drawing QR images.

pub mod decode;
pub mod image;
pub mod payload;
pub mod render;
