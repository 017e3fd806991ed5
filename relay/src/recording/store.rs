//! Where finished recordings are kept and read from: one
//! `object_store::ObjectStore` — today its local backend rooted at the data
//! directory, so a recording `recordings/<random>.mp3` on a record is the
//! file `<data dir>/recordings/<random>.mp3`. Playback (with ranges), the
//! zip, retention and the recovery after a crash all read and delete
//! through it, so S3-compatible storage (the scale-out issue) is another
//! backend behind the same calls.
//!
//! The recorder itself appends to the local file while the call runs
//! (written every second, so a crash leaves a file that plays up to then):
//! an object store's upload only appears when it is complete, which a
//! call in progress never is. With the local backend that file is already
//! the stored object; a remote backend would upload it at hang-up.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use object_store::local::LocalFileSystem;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt};

/// A stored recording could not be read or deleted.
#[derive(Debug)]
pub enum StoreError {
    /// There is no such object (deleted by hand, a lost disk).
    Missing,
    Other(object_store::Error),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Missing => write!(f, "the file is missing"),
            StoreError::Other(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<object_store::Error> for StoreError {
    fn from(e: object_store::Error) -> Self {
        match e {
            object_store::Error::NotFound { .. } => StoreError::Missing,
            e => StoreError::Other(e),
        }
    }
}

/// The recordings' storage.
#[derive(Clone)]
pub struct RecordingStore {
    store: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for RecordingStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecordingStore({})", self.store)
    }
}

impl RecordingStore {
    /// The local backend, rooted at `data_dir` (which must exist).
    pub fn local(data_dir: &Path) -> Result<RecordingStore, object_store::Error> {
        let store = LocalFileSystem::new_with_prefix(data_dir)?;
        Ok(RecordingStore {
            store: Arc::new(store),
        })
    }

    fn location(key: &str) -> Result<object_store::path::Path, StoreError> {
        object_store::path::Path::parse(key)
            .map_err(|e| StoreError::Other(object_store::Error::from(e)))
    }

    /// How many bytes the recording has.
    pub async fn size(&self, key: &str) -> Result<u64, StoreError> {
        Ok(self.store.head(&Self::location(key)?).await?.size)
    }

    /// The bytes of `range` (all of them without one), as a stream.
    pub async fn read(
        &self,
        key: &str,
        range: Option<Range<u64>>,
    ) -> Result<BoxStream<'static, std::io::Result<Bytes>>, StoreError> {
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        let got = self.store.get_opts(&Self::location(key)?, options).await?;
        Ok(got
            .into_stream()
            .map(|chunk| chunk.map_err(std::io::Error::other))
            .boxed())
    }

    /// Deletes the recording; one already gone is no error.
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.store.delete(&Self::location(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(StoreError::Other(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn collect(mut s: BoxStream<'static, std::io::Result<Bytes>>) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(chunk) = s.next().await {
            out.extend_from_slice(&chunk.unwrap());
        }
        out
    }

    #[tokio::test]
    async fn a_spooled_file_is_the_stored_object_read_whole_or_in_part_and_deleted_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = RecordingStore::local(dir.path()).unwrap();
        let key = "recordings/0123abcd.mp3";
        // Where the recorder writes it (`record_into`: the data directory).
        let path = dir.path().join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"0123456789").unwrap();

        assert_eq!(store.size(key).await.unwrap(), 10);
        assert_eq!(
            collect(store.read(key, None).await.unwrap()).await,
            b"0123456789"
        );
        assert_eq!(
            collect(store.read(key, Some(2..5)).await.unwrap()).await,
            b"234"
        );

        store.delete(key).await.unwrap();
        assert!(!path.exists());
        assert!(matches!(store.size(key).await, Err(StoreError::Missing)));
        assert!(matches!(
            store.read(key, None).await,
            Err(StoreError::Missing)
        ));
        store.delete(key).await.expect("deleting twice is no error");
    }
}
