//! The registrar: REGISTER from browsers and desk phones, digest
//! challenges for INVITEs from unregistered phones, and who is registered.

use super::*;

impl Switch {
    pub(super) fn device_request(
        &mut self,
        now: Instant,
        conn: u64,
        id: callcard_shared::sip::ua::RequestHandle,
        request: callcard_shared::sip::message::Request,
    ) {
        if !self.devices.contains_key(&conn) {
            return;
        }
        self.dirty.insert(Leg::Device(conn));
        if request.method == Method::Register {
            self.register_device(now, conn, id, &request);
            return;
        }
        let Some(device) = self.devices.get_mut(&conn) else {
            return;
        };
        match request.method {
            Method::Options => device::respond_with(device, now, id, 200, "OK", Vec::new()),
            _ => device::respond_with(device, now, id, 501, "Not Implemented", Vec::new()),
        }
    }

    /// The registrar: a browser may only register its web user's account; a
    /// desk phone registers whichever account its digest names. Wrong
    /// passwords count per connection and per source address.
    pub(super) fn register_device(
        &mut self,
        now: Instant,
        conn: u64,
        id: callcard_shared::sip::ua::RequestHandle,
        request: &callcard_shared::sip::message::Request,
    ) {
        let Some(device) = self.devices.get(&conn) else {
            return;
        };
        let peer = device.peer;
        if self.throttle.is_locked(peer, now) {
            tracing::warn!(conn, %peer, "security: REGISTER from a locked-out address refused");
            if let Some(device) = self.devices.get_mut(&conn) {
                device::respond_with(
                    device,
                    now,
                    id,
                    403,
                    "Too many wrong passwords, try later",
                    Vec::new(),
                );
            }
            return;
        }
        let authorization = request
            .first(callcard_shared::sip::header::HeaderName::Authorization)
            .map(str::to_owned);
        self.load_named_account(now, conn, authorization.as_deref());
        let Some(device) = self.devices.get_mut(&conn) else {
            return;
        };
        let outcome = device::register(device, &mut self.digest, now, id, request);
        let device_name = device
            .account
            .as_ref()
            .map(|a| a.sip_login.clone())
            .unwrap_or_else(|| device.login.clone());
        let bad = device.bad_credentials;
        match outcome {
            RegisterOutcome::Bound { .. } => {
                self.registrations_dirty = true;
                self.adopt_orphan(now, conn);
            }
            RegisterOutcome::Unbound => self.registrations_dirty = true,
            RegisterOutcome::Refused => {
                tracing::warn!(conn, %peer, device = %device_name, "security: wrong SIP credentials on REGISTER");
                if self.throttle.failed(peer, now) {
                    tracing::warn!(%peer, "security: too many wrong SIP passwords from this address, refused for a while");
                }
                if bad >= MAX_BAD_CREDENTIALS {
                    tracing::warn!(conn, %peer, device = %device_name, "security: too many wrong SIP credentials, connection closed");
                    self.to_close.push(conn);
                }
            }
            _ => {}
        }
    }

    /// A desk phone's account is the one its digest answer names (a browser's
    /// is fixed by its web session): loaded when the name changes.
    pub(super) fn load_named_account(
        &mut self,
        now: Instant,
        conn: u64,
        authorization: Option<&str>,
    ) {
        let Some(device) = self.devices.get(&conn) else {
            return;
        };
        if device.tx.is_browser() {
            return;
        }
        let Some(login) = authorization.and_then(callcard_shared::sip::auth::digest_username)
        else {
            return;
        };
        if device.account.as_ref().map(|a| a.sip_login.as_str()) == Some(login.as_str()) {
            return;
        }
        let account = self.telephony.accounts.by_login(&login);
        let Some(device) = self.devices.get_mut(&conn) else {
            return;
        };
        if device.is_registered(now) {
            self.registrations_dirty = true;
        }
        device.registered_until = None;
        device.user_id = account.as_ref().map(|a| a.user_id).unwrap_or_default();
        device.account = account;
    }

    /// An INVITE from a device that is not registered: accepted with a valid
    /// `Proxy-Authorization` for its account, else challenged with 407 (or
    /// refused 403 for wrong credentials, counted like REGISTER's). True
    /// when the call may go on.
    pub(super) fn authenticate_invite(
        &mut self,
        now: Instant,
        conn: u64,
        call: CallHandle,
    ) -> bool {
        use callcard_shared::sip::auth::Verification;
        use callcard_shared::sip::header::HeaderName;
        let leg = Leg::Device(conn);
        let Some(device) = self.devices.get(&conn) else {
            return false;
        };
        let peer = device.peer;
        if self.throttle.is_locked(peer, now) {
            tracing::warn!(conn, %peer, "security: INVITE from a locked-out address refused");
            self.with_leg(leg, |ep| ep.reject(now, call, 403));
            return false;
        }
        let authorization = device
            .ep
            .incoming_invite(call)
            .and_then(|r| r.first(HeaderName::ProxyAuthorization))
            .map(str::to_owned);
        self.load_named_account(now, conn, authorization.as_deref());
        let Some(device) = self.devices.get_mut(&conn) else {
            return false;
        };
        let account = device.account.clone();
        if device.tx.is_browser() && account.as_ref().is_some_and(|a| !a.browser_calls) {
            // This user takes calls on a desk phone, not in the browser.
            device.ep.reject(now, call, 403);
            self.dirty.insert(leg);
            return false;
        }
        let verdict = self
            .digest
            .verify(now, "INVITE", authorization.as_deref(), |user| {
                account
                    .as_ref()
                    .filter(|a| a.sip_login == user)
                    .map(|a| a.sip_password.clone())
            });
        match verdict {
            Verification::Ok(_) => true,
            Verification::Challenge | Verification::Stale => {
                let challenge =
                    self.digest
                        .challenge(now, rand::random(), verdict == Verification::Stale);
                device.ep.reject_with(
                    now,
                    call,
                    407,
                    "Proxy Authentication Required",
                    vec![(HeaderName::ProxyAuthenticate, challenge)],
                );
                self.dirty.insert(leg);
                false
            }
            Verification::Forbidden => {
                tracing::warn!(conn, %peer, "security: wrong SIP credentials on INVITE");
                self.throttle.failed(peer, now);
                device.ep.reject(now, call, 403);
                self.dirty.insert(leg);
                false
            }
        }
    }

    /// Publishes which users have a registered device, derived from the
    /// connections themselves, so expiry and closing need no bookkeeping.
    pub(super) fn publish_registrations(&mut self, now: Instant) {
        let mut registered = std::collections::HashMap::new();
        for browser in self.devices.values().filter(|b| b.is_registered(now)) {
            *registered.entry(browser.user_id).or_insert(0) += 1;
        }
        self.next_expiry = self
            .devices
            .values()
            .filter_map(|b| b.registered_until.filter(|until| *until > now))
            .min();
        self.registrations_dirty = false;
        *self.telephony.registered.lock().expect("registered lock") = registered;
    }
}
