//! This node's id: configured, or made once (host name and a random suffix)
//! and kept in `server.data_dir`, so that a restarted node finds its leases.

use std::path::Path;

const NODE_ID_FILE: &str = "node_id";

pub fn node_id(configured: &str, data_dir: &Path) -> anyhow::Result<String> {
    let configured = configured.trim();
    if !configured.is_empty() {
        return Ok(configured.to_owned());
    }
    let path = data_dir.join(NODE_ID_FILE);
    match std::fs::read_to_string(&path) {
        Ok(stored) if !stored.trim().is_empty() => return Ok(stored.trim().to_owned()),
        Ok(_) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(anyhow::anyhow!("reading {}: {err}", path.display())),
    }
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| {
            name.trim()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
                .take(40)
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "node".to_owned());
    let mut suffix = [0u8; 4];
    rand::fill(&mut suffix);
    let id = format!("{host}-{}", hex::encode(suffix));
    std::fs::create_dir_all(data_dir)?;
    std::fs::write(&path, &id)
        .map_err(|err| anyhow::anyhow!("writing {}: {err}", path.display()))?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    #[test]
    #[allow(clippy::unwrap_used)]
    fn a_made_id_is_kept_and_a_configured_one_wins() {
        let dir = tempfile::tempdir().unwrap();
        let made = super::node_id("", dir.path()).unwrap();
        assert_eq!(super::node_id("", dir.path()).unwrap(), made);
        assert_eq!(super::node_id(" n1 ", dir.path()).unwrap(), "n1");
    }
}
