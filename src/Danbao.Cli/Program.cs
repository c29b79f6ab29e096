Console.WriteLine("danbao cli");
