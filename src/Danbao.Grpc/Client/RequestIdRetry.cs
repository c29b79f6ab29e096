using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Polly;
using Polly.Retry;

namespace Danbao.Grpc;

/// <summary>
/// Decides which calls may be retried and builds the Polly pipeline that does it. A call is
/// retryable only when its request message has a non-empty string field <c>request_id</c>:
/// without one the server cannot tell a retry from a new command.
/// </summary>
internal static class RequestIdRetry
{
    public const string FieldName = "request_id";

    private static readonly ConcurrentDictionary<MessageDescriptor, FieldDescriptor?> Fields = new();

    public static bool HasRequestId(IMessage request)
    {
        FieldDescriptor? field = Fields.GetOrAdd(request.Descriptor, d =>
            d.FindFieldByName(FieldName) is { FieldType: FieldType.String, IsRepeated: false } f ? f : null);
        return field is not null && field.Accessor.GetValue(request) is string { Length: > 0 };
    }

    public static ResiliencePipeline Build(GrpcRetryOptions options)
    {
        options.Validate();
        if (options.MaxAttempts == 1)
        {
            return ResiliencePipeline.Empty;
        }
        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<RpcException>(e => e.StatusCode == StatusCode.Unavailable),
                MaxRetryAttempts = options.MaxAttempts - 1,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .Build();
    }
}
