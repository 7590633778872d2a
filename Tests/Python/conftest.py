"""pytest settings for the Python tests."""

# Generated protobuf modules live under gen/ (created by the tests); pytest must not collect
# them: gen/proto/grpc would shadow grpcio's own `grpc` package.
collect_ignore = ["gen"]
