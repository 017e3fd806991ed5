//! Call recordings as a test reads them: an MP3 decoded into its channels.

/// A decoded recording: its channel count and the left and right samples.
pub struct Decoded {
    pub channels: usize,
    pub left: Vec<i16>,
    pub right: Vec<i16>,
    pub sample_rate: u32,
}

/// Decodes MP3 `bytes` (a file cut mid-frame decodes up to the cut).
pub fn decode_mp3(bytes: Vec<u8>) -> Decoded {
    use symphonia::core::audio::SampleBuffer;
    use symphonia::core::io::MediaSourceStream;
    use symphonia::core::probe::Hint;
    let source = MediaSourceStream::new(Box::new(std::io::Cursor::new(bytes)), Default::default());
    let mut hint = Hint::new();
    hint.with_extension("mp3");
    let probed = symphonia::default::get_probe()
        .format(&hint, source, &Default::default(), &Default::default())
        .expect("an MP3 file");
    let mut format = probed.format;
    let track = format.default_track().expect("an audio track");
    let sample_rate = track.codec_params.sample_rate.unwrap_or_default();
    let mut decoder = symphonia::default::get_codecs()
        .make(&track.codec_params, &Default::default())
        .expect("an MP3 decoder");
    let mut out = Decoded {
        channels: 0,
        left: Vec::new(),
        right: Vec::new(),
        sample_rate,
    };
    while let Ok(packet) = format.next_packet() {
        let Ok(decoded) = decoder.decode(&packet) else {
            break;
        };
        let spec = *decoded.spec();
        out.channels = spec.channels.count();
        let mut buffer = SampleBuffer::<i16>::new(decoded.capacity() as u64, spec);
        buffer.copy_interleaved_ref(decoded);
        for frame in buffer.samples().chunks(out.channels) {
            out.left.push(frame[0]);
            out.right.push(*frame.get(1).unwrap_or(&0));
        }
    }
    out
}
