//! The incident log, shared: an [`EventLog`] over the real log file that hands each line, byte
//! for byte, to the shipper once it is durable. The local file stays the source of truth; the
//! walk's thread only sends on a channel, so a share problem never holds a prompt or a command.

use std::sync::Arc;
use std::time::Duration;

use super::item::Item;
use super::names::stream_name;
use super::shipper::Shipper;
use super::status::Snapshot;
use crate::event::{Event, EventLog, LogError, Record};
use crate::incident_log::IncidentLogFile;

/// The walk's log, shipping its lines when sharing is on and only writing them when not.
pub struct SharedLog {
    log: IncidentLogFile,
    sharing: Option<Sharing>,
}

struct Sharing {
    shipper: Shipper,
    incident: String,
    stream: Arc<str>,
    /// Lines written since the last commit: shipped only once `fdatasync` made them durable.
    unsynced: Vec<Item>,
}

impl SharedLog {
    /// The log, not shared.
    pub fn local(log: IncidentLogFile) -> SharedLog {
        SharedLog { log, sharing: None }
    }

    /// The log, its session's lines shipped by `shipper` to `<incident>/<session>`.
    pub fn shared(log: IncidentLogFile, shipper: Shipper, incident: &str) -> SharedLog {
        let stream: Arc<str> = Arc::from(stream_name(incident, log.session()));
        SharedLog {
            log,
            sharing: Some(Sharing {
                shipper,
                incident: incident.to_string(),
                stream,
                unsynced: Vec::new(),
            }),
        }
    }

    /// The log file underneath.
    pub fn file(&self) -> &IncidentLogFile {
        &self.log
    }

    /// The shipper, when shared.
    pub fn shipper(&self) -> Option<&Shipper> {
        self.sharing.as_ref().map(|s| &s.shipper)
    }

    /// The stream this session ships to, when shared.
    pub fn stream(&self) -> Option<&str> {
        self.sharing.as_ref().map(|s| &*s.stream)
    }

    /// The incident shared, when shared.
    pub fn incident(&self) -> Option<&str> {
        self.sharing.as_ref().map(|s| s.incident.as_str())
    }

    /// At the walk's end: commits what is pending, ships it, and waits for the backlog for at
    /// most `timeout`; `None` when not shared. A failed commit ships nothing more (the lines
    /// are not known to be durable) and is left for the caller's error path.
    pub fn finish(&mut self, timeout: Duration) -> Option<Snapshot> {
        let _ = self.commit();
        self.sharing.as_ref().map(|s| s.shipper.drain(timeout))
    }
}

impl EventLog for SharedLog {
    fn append(&mut self, operator: &str, event: Event) -> Result<Record, LogError> {
        let Some(sharing) = &mut self.sharing else {
            return self.log.append(operator, event);
        };
        let (record, line) = self.log.append_line(operator, event)?;
        sharing
            .unsynced
            .push(Item::from_line(record.seq, &record.ts, line));
        Ok(record)
    }

    fn commit(&mut self) -> Result<(), LogError> {
        self.log.commit()?;
        if let Some(sharing) = &mut self.sharing
            && !sharing.unsynced.is_empty()
        {
            let lines = std::mem::take(&mut sharing.unsynced);
            sharing.shipper.ship(&sharing.stream, lines);
        }
        Ok(())
    }

    fn location(&self) -> String {
        self.log.location()
    }
}
