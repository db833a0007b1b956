//! PIN rules: supported lengths, code constraints and random generation.

use rand::Rng;

use super::model::Device;

/// The constraint of locks whose provider chooses every PIN (custom codes are refused; generated
/// ones are fine).
pub(crate) const CANNOT_SPECIFY: &str = "cannot_specify_pin_code";

/// Lengths a device accepts; devices that advertise none take 4 to 8 digits.
pub(crate) fn allowed_lengths(d: &Device) -> Vec<usize> {
    d.supported_code_lengths
        .clone()
        .unwrap_or_else(|| (4..=8).collect())
}

/// `preferred` if the device supports it, else 4 if supported, else the device's smallest length.
pub(crate) fn default_length(d: &Device, preferred: Option<usize>) -> usize {
    let lengths = allowed_lengths(d);
    if let Some(p) = preferred.filter(|p| lengths.contains(p)) {
        return p;
    }
    if lengths.contains(&4) {
        4
    } else {
        lengths.iter().copied().min().unwrap_or(4)
    }
}

/// The first constraint `pin` breaks, if any.
pub(crate) fn broken_constraint(pin: &str, constraints: &[String]) -> Option<String> {
    let digits: Vec<i32> = pin.bytes().map(|b| i32::from(b - b'0')).collect();
    for c in constraints {
        let broken = match c.as_str() {
            "no_zeros" => pin.contains('0'),
            "cannot_start_with_12" => pin.starts_with("12"),
            "no_triple_consecutive_ints" => digits.windows(3).any(|w| {
                (w[1] == w[0] + 1 && w[2] == w[1] + 1) || (w[1] == w[0] - 1 && w[2] == w[1] - 1)
            }),
            "no_ascending_or_descending_sequence" => {
                digits.len() > 1
                    && (digits.windows(2).all(|w| w[1] == w[0] + 1)
                        || digits.windows(2).all(|w| w[1] == w[0] - 1))
            }
            "at_least_three_unique_digits" => {
                let mut u = digits.clone();
                u.sort_unstable();
                u.dedup();
                u.len() < 3
            }
            "no_all_same_digits" => digits.windows(2).all(|w| w[0] == w[1]),
            "cannot_contain_089" => pin.contains(['0', '8', '9']),
            "cannot_contain_0789" => pin.contains(['0', '7', '8', '9']),
            _ => false,
        };
        if broken {
            return Some(c.clone());
        }
    }
    None
}

/// Why a custom PIN cannot go on the device, if it cannot.
pub(crate) fn pin_problem(d: &Device, pin: &str) -> Option<String> {
    if pin.is_empty() || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Some("Code must contain only digits".into());
    }
    if d.code_constraints.iter().any(|c| c == CANNOT_SPECIFY) {
        return Some(format!(
            "Device {} does not allow specifying a code; its provider chooses every PIN",
            d.device_id
        ));
    }
    let lengths = allowed_lengths(d);
    if !lengths.contains(&pin.len()) {
        let list = lengths
            .iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        return Some(format!(
            "Code length {} is not supported by device {}; supported lengths: {list}",
            pin.len(),
            d.device_id
        ));
    }
    broken_constraint(pin, &d.code_constraints).map(|c| {
        format!(
            "Code violates the device's code constraint {c} on device {}",
            d.device_id
        )
    })
}

/// A random PIN of `len` digits meeting every device's constraints and unused on all of them.
pub(crate) fn generate(len: usize, devices: &[(&Device, Vec<String>)]) -> Option<String> {
    let mut rng = rand::thread_rng();
    for _ in 0..2000 {
        let pin: String = (0..len)
            .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
            .collect();
        let fits = devices.iter().all(|(d, taken)| {
            broken_constraint(&pin, &d.code_constraints).is_none()
                && broken_constraint(
                    &pin,
                    &[
                        "no_all_same_digits".to_string(),
                        "no_ascending_or_descending_sequence".to_string(),
                    ],
                )
                .is_none()
                && !taken.contains(&pin)
        });
        if fits {
            return Some(pin);
        }
    }
    None
}
