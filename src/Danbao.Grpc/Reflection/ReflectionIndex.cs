using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Reflection.V1;

namespace Danbao.Grpc;

/// <summary>
/// Answers server-reflection questions from the descriptors of the registered services: their
/// files, every file they depend on, and every symbol (service, method, message, enum) in them.
/// Built once, on the first question, when registration is over.
/// </summary>
internal sealed class ReflectionIndex
{
    private readonly IReadOnlyList<string> _serviceNames;
    private readonly Dictionary<string, FileDescriptor> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileDescriptor> _symbols = new(StringComparer.Ordinal);
    private readonly HashSet<string> _messageTypes = new(StringComparer.Ordinal);

    public ReflectionIndex(IReadOnlyList<ServiceDescriptor> services)
    {
        _serviceNames = services.Select(s => s.FullName).ToList();
        foreach (ServiceDescriptor service in services)
        {
            AddFile(service.File);
        }
    }

    public ServerReflectionResponse Answer(ServerReflectionRequest request)
    {
        var response = new ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                var list = new ListServiceResponse();
                list.Service.AddRange(_serviceNames.Select(n => new ServiceResponse { Name = n }));
                response.ListServicesResponse = list;
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                SetFile(response, _files.GetValueOrDefault(request.FileByFilename), $"File '{request.FileByFilename}' not found.");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                SetFile(response, _symbols.GetValueOrDefault(request.FileContainingSymbol), $"Symbol '{request.FileContainingSymbol}' not found.");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                if (_messageTypes.Contains(request.AllExtensionNumbersOfType))
                {
                    // proto3 services declare no extensions; the type is known, the list is empty.
                    response.AllExtensionNumbersResponse = new ExtensionNumberResponse { BaseTypeName = request.AllExtensionNumbersOfType };
                }
                else
                {
                    SetError(response, StatusCode.NotFound, $"Type '{request.AllExtensionNumbersOfType}' not found.");
                }
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                SetError(response, StatusCode.NotFound, "Extensions are not indexed.");
                break;
            default:
                SetError(response, StatusCode.InvalidArgument, "Empty reflection request.");
                break;
        }
        return response;
    }

    private void SetFile(ServerReflectionResponse response, FileDescriptor? file, string notFound)
    {
        if (file is null)
        {
            SetError(response, StatusCode.NotFound, notFound);
            return;
        }
        var files = new FileDescriptorResponse();
        var sent = new HashSet<string>(StringComparer.Ordinal);
        AppendWithDependencies(file, files, sent);
        response.FileDescriptorResponse = files;
    }

    // The requested file first, then its transitive imports: clients need all of them to build a pool.
    private static void AppendWithDependencies(FileDescriptor file, FileDescriptorResponse files, HashSet<string> sent)
    {
        if (!sent.Add(file.Name))
        {
            return;
        }
        files.FileDescriptorProto.Add(file.SerializedData);
        foreach (FileDescriptor dependency in file.Dependencies)
        {
            AppendWithDependencies(dependency, files, sent);
        }
    }

    private static void SetError(ServerReflectionResponse response, StatusCode code, string message) =>
        response.ErrorResponse = new ErrorResponse { ErrorCode = (int)code, ErrorMessage = message };

    private void AddFile(FileDescriptor file)
    {
        if (!_files.TryAdd(file.Name, file))
        {
            return;
        }
        foreach (ServiceDescriptor service in file.Services)
        {
            _symbols.TryAdd(service.FullName, file);
            foreach (MethodDescriptor method in service.Methods)
            {
                _symbols.TryAdd(service.FullName + "." + method.Name, file);
            }
        }
        foreach (MessageDescriptor message in file.MessageTypes)
        {
            AddMessage(message, file);
        }
        foreach (EnumDescriptor enumType in file.EnumTypes)
        {
            _symbols.TryAdd(enumType.FullName, file);
        }
        foreach (FileDescriptor dependency in file.Dependencies)
        {
            AddFile(dependency);
        }
    }

    private void AddMessage(MessageDescriptor message, FileDescriptor file)
    {
        _symbols.TryAdd(message.FullName, file);
        _messageTypes.Add(message.FullName);
        foreach (MessageDescriptor nested in message.NestedTypes)
        {
            AddMessage(nested, file);
        }
        foreach (EnumDescriptor nested in message.EnumTypes)
        {
            _symbols.TryAdd(nested.FullName, file);
        }
    }
}
