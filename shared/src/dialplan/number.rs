//! Reading a complete number: its E.164 form, region and number type.
//!
//! The reading is [`crate::phone::read`], the same one behind
//! [`crate::phone::to_e164`] and [`crate::phone::to_valid_e164`], so the
//! dialplan, the relay and the browser agree on every number. It works around
//! a `phonenumber` parsing bug (whisperfish/rust-phonenumber#76) that drops a
//! digit from `+7 812…`, `8 800…`, `8 809…` and, read in RU, `+48 801…`; see
//! [`crate::phone`].

pub(crate) use crate::phone::{read, Reading};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::Region;
    use phonenumber::Type;

    fn ru() -> Region {
        "RU".parse().unwrap()
    }

    #[test]
    fn numbers_whose_area_code_starts_with_the_national_prefix_keep_it() {
        for raw in ["+78121234567", "88121234567", "8121234567"] {
            let r = read(raw, ru()).unwrap();
            assert_eq!(r.e164, "+78121234567", "{raw}");
            assert_eq!(r.region.as_deref(), Some("RU"));
        }
        assert_eq!(read("88005553535", ru()).unwrap().kind, Type::TollFree);
    }

    #[test]
    fn a_foreign_number_is_not_read_through_the_default_regions_prefix() {
        let r = read("+48801234567", ru()).unwrap();
        assert_eq!(
            (r.e164.as_str(), r.kind),
            ("+48801234567", Type::SharedCost)
        );
    }

    #[test]
    fn a_national_prefix_after_the_country_code_comes_off() {
        assert_eq!(read("+4402079460958", ru()).unwrap().e164, "+442079460958");
        assert_eq!(read("+788121234567", ru()).unwrap().e164, "+78121234567");
    }

    #[test]
    fn shared_country_codes_resolve_to_their_region() {
        assert_eq!(
            read("+77011234567", ru()).unwrap().region.as_deref(),
            Some("KZ")
        );
        let toronto = read("+14163610000", ru()).unwrap();
        assert_eq!(toronto.region.as_deref(), Some("CA"));
        let new_york = read("+12127365000", ru()).unwrap();
        assert_eq!(new_york.region.as_deref(), Some("US"));
    }

    #[test]
    fn fragments_and_unknown_codes_are_not_numbers() {
        assert_eq!(read("+7916123", ru()), None);
        assert_eq!(read("+0123", ru()), None);
        assert_eq!(read("12345", ru()), None);
    }
}
