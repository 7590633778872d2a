"""grpcio-reflection's clients (ProtoReflectionDescriptorDatabase over v1alpha, and v1 stubs
generated from Protos/) against the reflection services of `boxoffice interop-server`."""
import grpc
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from interop_support import start_interop_server, stubs

SERVICES = [
    "grpc.health.v1.Health",
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
    "grpc.testing.TestService",
]


@pytest.fixture(scope="module")
def channel():
    server = start_interop_server()
    try:
        with grpc.insecure_channel(server.target) as channel:
            yield channel
    finally:
        assert server.stop() == 0


def test_v1alpha_database_lists_services(channel):
    database = ProtoReflectionDescriptorDatabase(channel)
    assert sorted(database.get_services()) == SERVICES


def test_v1alpha_database_resolves_a_service_and_its_types(channel):
    pool = descriptor_pool.DescriptorPool(ProtoReflectionDescriptorDatabase(channel))
    service = pool.FindServiceByName("grpc.testing.TestService")
    methods = {method.name: method for method in service.methods}
    assert methods["UnaryCall"].input_type.full_name == "grpc.testing.SimpleRequest"
    assert methods["FullDuplexCall"].output_type.full_name == "grpc.testing.StreamingOutputCallResponse"
    response = pool.FindMessageTypeByName("grpc.health.v1.HealthCheckResponse")
    assert [v.name for v in response.enum_types_by_name["ServingStatus"].values][:3] == [
        "UNKNOWN", "SERVING", "NOT_SERVING"]


def test_v1alpha_database_reports_unknown_symbols(channel):
    database = ProtoReflectionDescriptorDatabase(channel)
    with pytest.raises(KeyError):
        database.FindFileContainingSymbol("no.such.Symbol")


def _v1(channel, *requests):
    stub = stubs().reflection_grpc.ServerReflectionStub(channel)
    return list(stub.ServerReflectionInfo(iter(requests), timeout=10))


def test_v1_lists_services(channel):
    reflection = stubs().reflection
    [response] = _v1(channel, reflection.ServerReflectionRequest(list_services=""))
    assert sorted(s.name for s in response.list_services_response.service) == SERVICES


def test_v1_file_by_filename_includes_dependencies(channel):
    reflection = stubs().reflection
    [response] = _v1(channel, reflection.ServerReflectionRequest(file_by_filename="grpc/testing/test.proto"))
    files = [descriptor_pb2.FileDescriptorProto.FromString(b)
             for b in response.file_descriptor_response.file_descriptor_proto]
    assert files[0].name == "grpc/testing/test.proto"
    assert {f.name for f in files} == {"grpc/testing/test.proto", "grpc/testing/empty.proto",
                                       "grpc/testing/messages.proto"}
    assert [s.name for s in files[0].service] == ["TestService", "UnimplementedService"]


def test_v1_file_containing_method_symbol(channel):
    reflection = stubs().reflection
    [response] = _v1(channel, reflection.ServerReflectionRequest(
        file_containing_symbol="grpc.health.v1.Health.Watch"))
    first = descriptor_pb2.FileDescriptorProto.FromString(response.file_descriptor_response.file_descriptor_proto[0])
    assert first.name == "grpc/health/v1/health.proto"
    assert response.original_request.file_containing_symbol == "grpc.health.v1.Health.Watch"


def test_v1_answers_in_order_with_errors_for_unknown_names(channel):
    reflection = stubs().reflection
    responses = _v1(channel,
                    reflection.ServerReflectionRequest(file_by_filename="no/such.proto"),
                    reflection.ServerReflectionRequest(file_containing_symbol="grpc.testing.Empty"),
                    reflection.ServerReflectionRequest(file_containing_symbol="grpc.testing.Nope"))
    assert [r.WhichOneof("message_response") for r in responses] == [
        "error_response", "file_descriptor_response", "error_response"]
    assert responses[0].error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0]
    assert responses[2].error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0]
