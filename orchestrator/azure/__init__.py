"""The Azure client boundary: client factory, retry policy and error mapping."""
