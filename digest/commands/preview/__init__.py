"""`digest serve`: a preview built into a temporary folder (`watch`), served over HTTP with live reload (`server`, `live.js`)."""
