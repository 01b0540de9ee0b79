namespace ReactiveSync.Demo;

/// <summary>Words for a teacher's day: what the generated posts, comments and messages say.</summary>
internal static class TeacherContent
{
    public const string Teacher = "Ana Ruiz";

    public static readonly string[] Classes = ["5A", "5B", "5C"];

    public static readonly string[] Subjects = ["math", "science", "reading", "history", "art"];

    public static readonly string[] Topics =
    [
        "fractions on a number line", "the water cycle", "persuasive letters", "the Oregon Trail", "long division",
        "plant cells", "poetry week", "area and perimeter", "the solar system", "book club: Wonder",
        "decimals and money", "ecosystems", "map skills", "colour mixing", "multiplication facts",
    ];

    public static readonly string[] PostOpeners =
    [
        "Reminder:", "This week in class:", "Homework:", "Great work today on", "Tomorrow we start", "Photos from",
        "Please review", "Quiz on Friday:",
    ];

    public static readonly string[] Parents =
    [
        "Mr. Okafor", "Ms. Lindqvist", "Mrs. Haddad", "Mr. Tanaka", "Ms. Moreau", "Mr. Castillo", "Mrs. Novak", "Ms. Adeyemi",
    ];

    public static readonly string[] Colleagues = ["Ben (5B)", "Chloe (art)", "Priya (principal)", "Omar (PE)", "Dana (library)"];

    public static readonly string[] Students = ["Lucas", "Maya", "Noah", "Zoe", "Aarav", "Emma", "Kenji", "Sofia", "Liam", "Amara"];

    public static readonly string[] MessageTemplates =
    [
        "Thanks for letting me know, {0} can hand it in on Monday.",
        "Quick update: {0} did really well on today's quiz!",
        "Could we find ten minutes this week to talk about {0}'s reading?",
        "{0} left a jacket in the classroom; it's in the lost and found.",
        "Reminder that {0}'s project is due Friday.",
        "{0} was a great helper during the science lab today.",
    ];

    public static readonly string[] ColleagueTemplates =
    [
        "Can you cover recess duty on {0}?",
        "I put the {0} worksheets in the shared folder.",
        "Are we still meeting about the {0} unit?",
        "Borrowing your projector for {0}, back by lunch!",
    ];

    public static readonly string[] Comments =
    [
        "Thanks, see you there!", "Noted, we'll be ready.", "Can parents volunteer for this?", "Great photos!",
        "Is this due Thursday or Friday?", "Added to our calendar.", "My kid loved this lesson.", "Will there be a make-up day?",
    ];

    public static readonly string[] Days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

    public static T Pick<T>(this Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
