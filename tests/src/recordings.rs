//! Call recordings as a test reads them: an MP3 decoded into its channels
//! (the relay's own decoder, `callcard_relay::recording::mp3::decode`).

pub use callcard_relay::recording::mp3::Decoded;

/// Decodes MP3 `bytes` (a file cut mid-frame decodes up to the cut).
pub fn decode_mp3(bytes: Vec<u8>) -> Decoded {
    callcard_relay::recording::mp3::decode(bytes).expect("an MP3 file")
}
