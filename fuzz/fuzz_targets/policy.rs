//! Policy parsing never panics: any string is a policy or a PolicyError naming a path.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(policy) = proofshot_core::Policy::from_json(text) {
            // a valid policy always resolves each role and fills its retry message
            for role in [
                proofshot_core::CategoryRole::Compliant,
                proofshot_core::CategoryRole::Invalid,
                proofshot_core::CategoryRole::PoorPhoto,
            ] {
                let _ = policy.category(role);
            }
            assert!(!policy.ui_copy.retry_message(1).contains(proofshot_core::REMAINING_PLACEHOLDER));
        }
    }
});
