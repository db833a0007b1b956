//! The three seeded workspaces (the third empty) and their locks (deterministic ids; see the README's seed table).

use chrono::{Duration, TimeZone, Utc};

use super::model::{Device, Issue, Model, Time, Workspace};

pub(crate) const WORKSPACE_1: &str = "seed_workspace_1";
pub(crate) const WORKSPACE_2: &str = "seed_workspace_2";
/// A workspace with no devices and no events: what a brand-new Seam workspace looks like.
pub(crate) const WORKSPACE_3: &str = "seed_workspace_3";

fn seed_time(n: i64) -> Time {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
        + Duration::seconds(n)
}

struct Lock {
    id: &'static str,
    workspace: &'static str,
    device_type: &'static str,
    manufacturer: &'static str,
    name: &'static str,
    display_name: &'static str,
    appearance: &'static str,
    account: &'static str,
    lengths: Option<&'static [usize]>,
    constraints: &'static [&'static str],
}

fn lock(l: Lock, n: i64) -> Device {
    Device {
        device_id: l.id.into(),
        workspace_id: l.workspace.into(),
        device_type: l.device_type.into(),
        display_name: l.display_name.into(),
        connected_account_id: l.account.into(),
        created_at: seed_time(n),
        name: l.name.into(),
        appearance_name: l.appearance.into(),
        manufacturer: l.manufacturer.into(),
        model_display_name: "Device".into(),
        manufacturer_display_name: "Generic".into(),
        online: true,
        locked: true,
        supported_code_lengths: l.lengths.map(|s| s.to_vec()),
        code_constraints: l.constraints.iter().map(|s| s.to_string()).collect(),
        max_active_codes_supported: l.lengths.map(|_| 20),
        can_program_online_access_codes: true,
        can_program_offline_access_codes: false,
        supports_backup_pool: false,
        errors: Vec::new(),
        warnings: Vec::new(),
        native_scheduling: false,
        flaky: false,
    }
}

fn issue(code: &str, message: &str) -> Issue {
    Issue {
        code: code.into(),
        message: message.into(),
        created_at: seed_time(0),
    }
}

const FOUR_TO_EIGHT: &[usize] = &[4, 5, 6, 7, 8];

/// Every seeded lock, one row each, in creation order (which sets `created_at`). Longer than a
/// function should be because it is a table: split up, it would no longer read like the README's.
#[rustfmt::skip]
fn locks() -> Vec<Device> {
    let ws1 = WORKSPACE_1;
    let ws2 = WORKSPACE_2;
    let john = "john_connected_account_id";
    let jane = "jane_connected_account_id";
    let harness = "harness_connected_account_id";
    let ws2acct = "ws2_connected_account_id";
    let mut out = Vec::new();
    let mut n = 0;
    let mut add = |l: Lock, tweak: &dyn Fn(&mut Device)| {
        let mut d = lock(l, n);
        tweak(&mut d);
        out.push(d);
        n += 1;
    };
    let none = |_: &mut Device| {};
    add(Lock { id: "august_device_1", workspace: ws1, device_type: "august_lock", manufacturer: "august",
        name: "Fake August Lock 1", display_name: "Front Door", appearance: "Front Door", account: john,
        lengths: None, constraints: &[] }, &none);
    add(Lock { id: "august_device_2", workspace: ws1, device_type: "august_lock", manufacturer: "august",
        name: "Fake August Lock 2", display_name: "Back Door", appearance: "Back Door", account: john,
        lengths: None, constraints: &[] }, &none);
    add(Lock { id: "schlage_device_id", workspace: ws1, device_type: "schlage_lock", manufacturer: "schlage",
        name: "Bathroom Door", display_name: "Bathroom Door", appearance: "Bathroom Door", account: jane,
        lengths: None, constraints: &[] }, &none);
    add(Lock { id: "harness_lock_6digit", workspace: ws1, device_type: "yale_lock", manufacturer: "yale",
        name: "Garage Door (6-digit only)", display_name: "Garage Door", appearance: "Garage Door (6-digit only)",
        account: john, lengths: Some(&[6]), constraints: &["no_zeros"] }, &none);
    add(Lock { id: "harness_lock_4to8", workspace: ws1, device_type: "schlage_lock", manufacturer: "schlage",
        name: "Side Door (4-8 digits)", display_name: "Side Door", appearance: "Side Door (4-8 digits)",
        account: jane, lengths: Some(FOUR_TO_EIGHT), constraints: &[] }, &|d| d.locked = false);
    add(Lock { id: "harness_lock_no_codes", workspace: ws1, device_type: "smartthings_lock", manufacturer: "smartthings",
        name: "Shed (no online access codes)", display_name: "Shed", appearance: "Shed (no online access codes)",
        account: harness, lengths: None, constraints: &[] }, &|d| d.can_program_online_access_codes = false);
    add(Lock { id: "harness_lock_offline", workspace: ws1, device_type: "smartthings_lock", manufacturer: "smartthings",
        name: "Basement (offline)", display_name: "Basement", appearance: "Basement (offline)",
        account: harness, lengths: Some(FOUR_TO_EIGHT), constraints: &[] }, &|d| {
            d.online = false;
            d.errors.push(issue("device_offline", "Device is offline"));
        });
    add(Lock { id: "ws1_lock_4digit", workspace: ws1, device_type: "kwikset_lock", manufacturer: "kwikset",
        name: "Pool Gate (4-digit only)", display_name: "Pool Gate", appearance: "Pool Gate (4-digit only)",
        account: jane, lengths: Some(&[4]), constraints: &["cannot_start_with_12"] }, &none);
    add(Lock { id: "ws1_lock_troubled", workspace: ws1, device_type: "igloohome_lock", manufacturer: "igloohome",
        name: "Storage Room (needs attention)", display_name: "Storage Room", appearance: "Storage Room (needs attention)",
        account: harness, lengths: Some(&[4, 5, 6, 7, 8, 9]), constraints: &[] }, &|d| {
            d.errors.push(issue("subscription_required", "A subscription is required for this device"));
            d.warnings.push(issue("time_zone_unknown", "The device's time zone is unknown"));
            d.warnings.push(issue("third_party_integration_detected", "A third-party integration was detected"));
        });
    add(Lock { id: "ws1_lock_flaky", workspace: ws1, device_type: "nuki_lock", manufacturer: "nuki",
        name: "Workshop (flaky connection)", display_name: "Workshop", appearance: "Workshop (flaky connection)",
        account: harness, lengths: Some(&[4, 5, 6]), constraints: &[] }, &|d| {
            d.flaky = true;
            d.warnings.push(issue("device_has_flaky_connection", "Device has a flaky connection"));
        });
    add(Lock { id: "ws1_lock_native", workspace: ws1, device_type: "yale_lock", manufacturer: "yale",
        name: "Loft (native scheduling)", display_name: "Loft", appearance: "Loft (native scheduling)",
        account: john, lengths: Some(&[4, 5, 6, 7, 8]), constraints: &[] }, &|d| d.native_scheduling = true);
    add(Lock { id: "ws2_front_door", workspace: ws2, device_type: "august_lock", manufacturer: "august",
        name: "WS2 Front Door", display_name: "Front Door", appearance: "WS2 Front Door",
        account: ws2acct, lengths: None, constraints: &[] }, &none);
    add(Lock { id: "ws2_back_door", workspace: ws2, device_type: "schlage_lock", manufacturer: "schlage",
        name: "WS2 Back Door", display_name: "Back Door", appearance: "WS2 Back Door",
        account: ws2acct, lengths: Some(FOUR_TO_EIGHT), constraints: &[] }, &none);
    add(Lock { id: "ws2_garage", workspace: ws2, device_type: "yale_lock", manufacturer: "yale",
        name: "WS2 Garage (6-digit only)", display_name: "Garage", appearance: "WS2 Garage (6-digit only)",
        account: ws2acct, lengths: Some(&[6]), constraints: &[] }, &none);
    add(Lock { id: "ws2_side_gate", workspace: ws2, device_type: "kwikset_lock", manufacturer: "kwikset",
        name: "WS2 Side Gate (4-digit only)", display_name: "Side Gate", appearance: "WS2 Side Gate (4-digit only)",
        account: ws2acct, lengths: Some(&[4]), constraints: &[] }, &none);
    add(Lock { id: "ws2_patio", workspace: ws2, device_type: "nuki_lock", manufacturer: "nuki",
        name: "WS2 Patio", display_name: "Patio", appearance: "WS2 Patio",
        account: ws2acct, lengths: Some(&[4, 5, 6]), constraints: &[] }, &none);
    // Added after the others so that earlier locks keep their order and creation times.
    add(Lock { id: "ws1_lock_offline_only", workspace: ws1, device_type: "igloohome_lock", manufacturer: "igloohome",
        name: "Cabin (offline codes only)", display_name: "Cabin", appearance: "Cabin (offline codes only)",
        account: harness, lengths: Some(&[7, 8, 9]), constraints: &["cannot_specify_pin_code"] }, &|d| {
            d.can_program_online_access_codes = false;
            d.can_program_offline_access_codes = true;
        });
    add(Lock { id: "ws1_lock_online_offline", workspace: ws1, device_type: "igloohome_lock", manufacturer: "igloohome",
        name: "Guest Suite (online and offline codes, backup pool)", display_name: "Guest Suite",
        appearance: "Guest Suite (online and offline codes, backup pool)", account: harness,
        lengths: Some(FOUR_TO_EIGHT), constraints: &[] }, &|d| {
            d.can_program_offline_access_codes = true;
            d.supports_backup_pool = true;
        });
    out
}

pub(crate) fn seeded_model(set_delay: Duration) -> Model {
    let mut m = Model::new(set_delay);
    m.workspaces.push(Workspace {
        workspace_id: WORKSPACE_1.into(),
        api_key: "seam_apikey1_token".into(),
        name: "Seed Workspace 1".into(),
    });
    m.workspaces.push(Workspace {
        workspace_id: WORKSPACE_2.into(),
        api_key: "seam_apikey2_token".into(),
        name: "Seed Workspace 2".into(),
    });
    m.workspaces.push(Workspace {
        workspace_id: WORKSPACE_3.into(),
        api_key: "seam_apikey3_token".into(),
        name: "Empty Workspace".into(),
    });
    m.devices = locks();
    m
}
