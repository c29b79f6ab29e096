Console.WriteLine("danbao server");
