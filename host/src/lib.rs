//! mapdma-host: the Windows WDK adapter-object DMA API over mapdma hardware.
pub mod backend;
