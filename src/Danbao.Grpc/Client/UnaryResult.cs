namespace Danbao.Grpc;

/// <summary>A unary call's response with the metadata that came with it.</summary>
/// <param name="Response">The response message.</param>
/// <param name="Headers">Response headers (protocol headers excluded).</param>
/// <param name="Trailers">Response trailers (grpc-status and friends excluded).</param>
public sealed record UnaryResult<TResponse>(TResponse Response, Metadata Headers, Metadata Trailers);
