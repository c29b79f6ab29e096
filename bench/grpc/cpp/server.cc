// Reference C++ gRPC server for the benchmark yardstick: grpc.testing.TestService/EmptyCall and
// UnaryCall with the callback API, built from Debian's libgrpc++ by bench/grpc/cpp/build.sh.
// Usage: ref_server PORT   (h2c on 127.0.0.1; prints "listening" when ready; SIGTERM stops it)
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "grpc/testing/test.grpc.pb.h"

namespace {

class TestServiceImpl final : public grpc::testing::TestService::CallbackService {
  grpc::ServerUnaryReactor* EmptyCall(grpc::CallbackServerContext* context, const grpc::testing::Empty*,
                                      grpc::testing::Empty*) override {
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  grpc::ServerUnaryReactor* UnaryCall(grpc::CallbackServerContext* context, const grpc::testing::SimpleRequest* request,
                                      grpc::testing::SimpleResponse* response) override {
    if (request->response_size() > 0) {
      response->mutable_payload()->set_body(std::string(static_cast<size_t>(request->response_size()), '\0'));
    }
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

std::unique_ptr<grpc::Server> g_server;

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
  std::string address = std::string("127.0.0.1:") + argv[1];
  TestServiceImpl service;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials());
  builder.RegisterService(&service);
  g_server = builder.BuildAndStart();
  if (!g_server) {
    std::fprintf(stderr, "failed to listen on %s\n", address.c_str());
    return 1;
  }
  std::printf("listening on %s\n", address.c_str());
  std::fflush(stdout);
  g_server->Wait();
  return 0;
}
