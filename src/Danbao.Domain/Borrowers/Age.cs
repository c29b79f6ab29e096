namespace Danbao.Domain.Borrowers;

/// <summary>Age in completed years.</summary>
public static class Age
{
    /// <summary>Completed years on <paramref name="on"/>; someone born 29 Feb turns a year older on 1 Mar in common years.</summary>
    public static int On(DateOnly birthDate, DateOnly on)
    {
        if (on < birthDate)
            throw new ArgumentException($"{on} is before the birth date {birthDate}", nameof(on));
        var years = on.Year - birthDate.Year;
        if (on.Month < birthDate.Month || (on.Month == birthDate.Month && on.Day < birthDate.Day))
            years--;
        return years;
    }
}
