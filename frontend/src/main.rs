//! Entry point of the browser app: Trunk builds this binary to WebAssembly.

fn main() {
    callcard_frontend::run();
}
