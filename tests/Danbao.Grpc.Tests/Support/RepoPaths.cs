namespace Danbao.Grpc.Tests.Support;

/// <summary>Finds files of the repository from the test's output directory.</summary>
public static class RepoPaths
{
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "tests", "interop", "interop_client.py")))
            {
                dir = dir.Parent;
            }
            return dir?.FullName ?? throw new InvalidOperationException("Repository root (with tests/interop) not found above " + AppContext.BaseDirectory);
        }
    }

    public static string InteropClient => Path.Combine(Root, "tests", "interop", "interop_client.py");
}
