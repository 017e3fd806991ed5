//! Many recordings as one zip, written while it is sent: each file is
//! read in chunks into a stored (uncompressed: MP3 does not shrink) entry
//! and the zip's bytes flow out through a small pipe, so neither the zip
//! nor a whole recording is ever held in memory or written to disk. ZIP64
//! when the archive grows past 4 GiB. A file that cannot be read is left
//! out and named in a last entry, `missing.txt`.

use async_zip::tokio::write::ZipFileWriter;
use async_zip::{Compression, ZipEntryBuilder};
use axum::body::Body;
use tokio::io::AsyncWriteExt;
use tokio_util::compat::FuturesAsyncWriteCompatExt;

use super::RecordingStore;

/// Bytes in flight between the zip writer and the response.
const PIPE: usize = 64 * 1024;

/// One file of the zip: its name there and its recording's key in the
/// store.
#[derive(Debug, Clone)]
pub struct ZipItem {
    pub name: String,
    pub key: String,
}

/// The zip of `items` as a response body that is written as it is read.
pub fn stream(store: RecordingStore, items: Vec<ZipItem>) -> Body {
    let (writer, reader) = tokio::io::duplex(PIPE);
    tokio::spawn(async move {
        if let Err(e) = write(&store, items, writer).await {
            // The client went away or a disk failed mid-way: the download
            // ends short, which the browser reports as failed.
            tracing::warn!("recordings zip stopped: {e}");
        }
    });
    Body::from_stream(tokio_util::io::ReaderStream::new(reader))
}

async fn write(
    store: &RecordingStore,
    items: Vec<ZipItem>,
    out: tokio::io::DuplexStream,
) -> anyhow::Result<()> {
    let mut zip = ZipFileWriter::with_tokio(out);
    let mut missing = Vec::new();
    for item in items {
        let mut file = match store.read(&item.key, None).await {
            Ok(bytes) => tokio_util::io::StreamReader::new(bytes),
            Err(e) => {
                tracing::error!(
                    key = item.key,
                    "a recording for the zip cannot be read: {e}"
                );
                missing.push(format!("{}: {e}", item.name));
                continue;
            }
        };
        let entry = ZipEntryBuilder::new(item.name.clone().into(), Compression::Stored)
            .unix_permissions(0o644);
        let mut writer = zip.write_entry_stream(entry).await?.compat_write();
        tokio::io::copy(&mut file, &mut writer).await?;
        writer.flush().await?;
        writer.into_inner().close().await?;
    }
    if !missing.is_empty() {
        let text = format!(
            "These recordings could not be read and are not in this zip:\r\n{}\r\n",
            missing.join("\r\n")
        );
        let entry = ZipEntryBuilder::new("missing.txt".to_string().into(), Compression::Stored);
        zip.write_entry_whole(entry, text.as_bytes()).await?;
    }
    let mut out = zip.close().await?.into_inner();
    out.shutdown().await?;
    Ok(())
}
