//! Watching drop folders for new files: file system events (inotify, FSEvents, ReadDirectoryChanges
//! through the `notify` crate) tell the poller which folder changed, so a dropped file is
//! read about a second after its last write rather than at the folder's next poll.
//!
//! The watcher only says *which folder* to look at: what is read, when a file counts as
//! finished and where it is moved are the poll's business (one code path, so each file is
//! read once). The periodic poll stays as the fallback for missed events and for folders the
//! system cannot watch (network shares, a full inotify table).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use claimdesk_store::SourceId;
use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;

/// Why a folder cannot be watched.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The system's watcher could not be started (no inotify instance left, unsupported
    /// platform).
    #[error("cannot start the file system watcher: {0}")]
    Start(#[source] notify::Error),
    /// This folder could not be watched (gone, not permitted, the watch limit reached).
    #[error("cannot watch {folder}: {source}")]
    Folder {
        /// The folder.
        folder: String,
        /// Why.
        #[source]
        source: notify::Error,
    },
}

/// Watches drop folders and reports which of them saw a new or changed item file.
pub struct FolderWatcher {
    watcher: RecommendedWatcher,
    watched: HashMap<PathBuf, SourceId>,
    changes: mpsc::UnboundedReceiver<PathBuf>,
}

impl std::fmt::Debug for FolderWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FolderWatcher")
            .field("watched", &self.watched)
            .finish_non_exhaustive()
    }
}

impl FolderWatcher {
    /// A watcher over no folder yet, telling of files whose name `reads` accepts (the
    /// names a folder poll reads).
    pub fn new(reads: fn(&str) -> bool) -> Result<FolderWatcher, WatchError> {
        let (tx, changes) = mpsc::unbounded_channel();
        let watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
            // Errors (a queue overflow) lose events: the periodic poll catches up.
            let Ok(event) = event else { return };
            for folder in changed_folders(&event, reads) {
                let _ = tx.send(folder);
            }
        })
        .map_err(WatchError::Start)?;
        Ok(FolderWatcher {
            watcher,
            watched: HashMap::new(),
            changes,
        })
    }

    /// Watches exactly these folders (by source): new ones are added, ones no longer listed
    /// dropped. Returns the folders that could not be watched (they are polled only).
    pub fn watch_only(&mut self, folders: &[(SourceId, PathBuf)]) -> Vec<WatchError> {
        let wanted: HashMap<&Path, SourceId> =
            folders.iter().map(|(id, p)| (p.as_path(), *id)).collect();
        let gone: Vec<PathBuf> = self
            .watched
            .keys()
            .filter(|p| !wanted.contains_key(p.as_path()))
            .cloned()
            .collect();
        for folder in gone {
            let _ = self.watcher.unwatch(&folder);
            self.watched.remove(&folder);
        }
        let mut failed = Vec::new();
        for (folder, id) in wanted {
            if self.watched.contains_key(folder) {
                self.watched.insert(folder.to_path_buf(), id);
                continue;
            }
            match self.watcher.watch(folder, RecursiveMode::NonRecursive) {
                Ok(()) => {
                    tracing::info!(target: "ingest::watch", source = id.0, folder = %folder.display(), "watching the folder for new files");
                    self.watched.insert(folder.to_path_buf(), id);
                }
                Err(source) => failed.push(WatchError::Folder {
                    folder: folder.display().to_string(),
                    source,
                }),
            }
        }
        failed
    }

    /// The source whose folder saw a new or changed item file next (waits for one). Never
    /// resolves once the watcher has stopped.
    pub async fn changed(&mut self) -> SourceId {
        loop {
            let Some(folder) = self.changes.recv().await else {
                return std::future::pending().await;
            };
            if let Some(id) = self.watched.get(&folder) {
                return *id;
            }
        }
    }
}

/// The folders an event says hold a new or changed file that `reads` accepts: creation,
/// writes, a rename into the folder, a writer closing the file. Removals, renames away (the
/// poll moving a read file to `done/`) and reads are not news.
fn changed_folders(event: &Event, reads: fn(&str) -> bool) -> Vec<PathBuf> {
    let news = match event.kind {
        EventKind::Create(_) | EventKind::Any => true,
        EventKind::Modify(ModifyKind::Name(RenameMode::From)) => false,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Remove(_) | EventKind::Other => false,
    };
    if !news {
        return Vec::new();
    }
    let mut folders: Vec<PathBuf> = event
        .paths
        .iter()
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(reads))
        .filter(|p| p.is_file())
        .filter_map(|p| p.parent().map(Path::to_path_buf))
        .collect();
    folders.dedup();
    folders
}

#[cfg(test)]
mod tests {
    use notify::event::{CreateKind, DataChange, RemoveKind};

    use super::*;

    fn jsonl(name: &str) -> bool {
        name.ends_with(".jsonl")
    }

    #[test]
    fn only_new_or_written_item_files_are_news() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.jsonl");
        std::fs::write(&file, "{}\n").unwrap();
        std::fs::write(dir.path().join("a.jsonl.part"), "{").unwrap();
        let event = |kind, name: &str| Event::new(kind).add_path(dir.path().join(name));
        let created = event(EventKind::Create(CreateKind::File), "a.jsonl");
        assert_eq!(changed_folders(&created, jsonl), [dir.path().to_path_buf()]);
        let written = event(
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            "a.jsonl",
        );
        assert_eq!(changed_folders(&written, jsonl), [dir.path().to_path_buf()]);
        for quiet in [
            event(EventKind::Create(CreateKind::File), "a.jsonl.part"),
            event(EventKind::Create(CreateKind::File), "notes.txt"),
            event(EventKind::Remove(RemoveKind::File), "a.jsonl"),
            event(
                EventKind::Modify(ModifyKind::Name(RenameMode::From)),
                "a.jsonl",
            ),
            event(EventKind::Access(AccessKind::Read), "a.jsonl"),
            // Already moved away.
            event(EventKind::Create(CreateKind::File), "b.jsonl"),
        ] {
            assert!(changed_folders(&quiet, jsonl).is_empty(), "{quiet:?}");
        }
    }
}
