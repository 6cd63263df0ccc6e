"""Fictional names, teams and observation wording for generating demo data; pure data."""

from __future__ import annotations

# Given names from the many backgrounds found in English councils' workforces.
FIRST_NAMES: tuple[str, ...] = (
    "Oliver",
    "Amelia",
    "James",
    "Charlotte",
    "Thomas",
    "Emily",
    "Harriet",
    "George",
    "Sophie",
    "Daniel",
    "Rebecca",
    "Matthew",
    "Hannah",
    "Joanne",
    "Stephen",
    "Lucy",
    "Zoë",
    "Chloë",
    "Eilidh",
    "Callum",
    "Morag",
    "Alasdair",
    "Catriona",
    "Mhairi",
    "Rhiannon",
    "Dafydd",
    "Siân",
    "Cerys",
    "Rhys",
    "Ffion",
    "Aled",
    "Siobhán",
    "Niamh",
    "Aoife",
    "Ciarán",
    "Seán",
    "Pádraig",
    "Róisín",
    "Éamonn",
    "Caoimhe",
    "Łukasz",
    "Bartłomiej",
    "Małgorzata",
    "Agnieszka",
    "Wojciech",
    "Katarzyna",
    "Paweł",
    "Zofia",
    "Ștefan",
    "Ioana",
    "Andreea",
    "Mihai",
    "Răzvan",
    "Ionuț",
    "Cătălina",
    "Şükrü",
    "Ayşe",
    "Emre",
    "Gülşen",
    "Çağla",
    "Mehmet",
    "Özlem",
    "Ελένη",
    "Γιώργος",
    "Σοφία",
    "Κωνσταντίνος",
    "Christos",
    "Despina",
    "Наталья",
    "Олена",
    "Дмитро",
    "Ірина",
    "Oksana",
    "Andriy",
    "Yulia",
    "Chidinma",
    "Oluwaseun",
    "Adebayo",
    "Ngozi",
    "Emeka",
    "Folasade",
    "Fúnmiláyọ",
    "Kwame",
    "Akosua",
    "Kofi",
    "Abena",
    "Kwabena",
    "Efua",
    "Abdirahman",
    "Hodan",
    "Fartun",
    "Ayaan",
    "Khadra",
    "Idil",
    "Imran",
    "Ayesha",
    "Bilal",
    "Sana",
    "Usman",
    "Zainab",
    "Priya",
    "Rajesh",
    "Anjali",
    "Harpreet",
    "Sunita",
    "Vikram",
    "Gurpreet",
    "Kavita",
    "Rahima",
    "Shahana",
    "Tanvir",
    "Nasrin",
    "Mahfuz",
    "Rubina",
    "Wei",
    "Mei Ling",
    "Jia Hui",
    "Hao",
    "Li Na",
    "Thảo",
    "Phương",
    "Tuấn",
    "Hương",
    "Minh",
    "Marcia",
    "Delroy",
    "Beverley",
    "Winston",
    "Jermaine",
    "Shanice",
    "João",
    "Inês",
    "Conceição",
    "Gonçalo",
    "Tiago",
    "José",
    "María",
    "Begoña",
    "Íñigo",
    "Lucía",
    "Álvaro",
    "Hélène",
    "Amélie",
    "François",
    "Céline",
    "Jérôme",
    "Noémie",
    "Jürgen",
    "Jörg",
    "Matthias",
    "Anke",
    "Björn",
    "Øyvind",
    "Åsa",
    "Søren",
    "Sigrún",
    "Þóra",
    "Päivi",
    "Ingrid",
    "Giulia",
    "Niccolò",
    "Zsófia",
    "Tomáš",
    "Jiří",
    "Rūta",
    "Jānis",
    "Ermira",
    "Tendai",
    "Rutendo",
    "Wanjiru",
    "Senait",
    "Yusuf",
    "Fatima",
    "Maricel",
)

# Family names, mostly Latin script, some with diacritics, Greek or Cyrillic.
SURNAMES: tuple[str, ...] = (
    "Smith",
    "Taylor",
    "Brown",
    "Wilson",
    "Thompson",
    "Walker",
    "Robinson",
    "Wright",
    "Hughes",
    "Green",
    "Harrison",
    "Cooper",
    "Whitfield",
    "Ashworth",
    "Pemberton",
    "MacDonald",
    "Campbell",
    "Fraser",
    "McLeod",
    "Mackenzie",
    "Sinclair",
    "Jones",
    "Davies",
    "Evans",
    "Llewellyn",
    "Pritchard",
    "Ó Briain",
    "O'Sullivan",
    "Ní Dhomhnaill",
    "Ó Ceallaigh",
    "Ní Mhurchú",
    "Murphy",
    "Gallagher",
    "Byrne",
    "Łukasiewicz",
    "Kowalczyk",
    "Wiśniewska",
    "Nowak",
    "Wójcik",
    "Zieliński",
    "Dąbrowski",
    "Szymańska",
    "Ștefănescu",
    "Popescu",
    "Ionescu",
    "Dumitrașcu",
    "Munteanu",
    "Vlădescu",
    "Öztürk",
    "Yılmaz",
    "Kaya",
    "Şahin",
    "Çelik",
    "Doğan",
    "Aydın",
    "Παπαδοπούλου",
    "Γεωργίου",
    "Παπαδάκης",
    "Christodoulou",
    "Konstantinou",
    "Шевченко",
    "Коваленко",
    "Иванова",
    "Бондаренко",
    "Petrenko",
    "Sokolova",
    "Okafor",
    "Adeyemi",
    "Okonkwo",
    "Balogun",
    "Eze",
    "Àjàyí",
    "Ògúnbánjọ",
    "Mensah",
    "Owusu",
    "Boateng",
    "Asante",
    "Appiah",
    "Osei",
    "Warsame",
    "Farah",
    "Hassan",
    "Abdi",
    "Jama",
    "Osman",
    "Khan",
    "Hussain",
    "Iqbal",
    "Malik",
    "Qureshi",
    "Chaudhry",
    "Patel",
    "Sharma",
    "Singh",
    "Kaur",
    "Gill",
    "Mistry",
    "Nair",
    "D'Souza",
    "Rahman",
    "Begum",
    "Ahmed",
    "Miah",
    "Uddin",
    "Chowdhury",
    "Chen",
    "Wang",
    "Zhang",
    "Wong",
    "Cheung",
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Đặng",
    "Brathwaite",
    "Grant",
    "Francis",
    "Bailey",
    "Alleyne",
    "Clarke-Mensah",
    "Gonçalves",
    "Conceição",
    "Magalhães",
    "Araújo",
    "Ferreira",
    "Simões",
    "García",
    "Fernández",
    "Muñoz",
    "López",
    "Peña",
    "Ibáñez",
    "Lefèvre",
    "Dubois",
    "Bérenger",
    "Lemaître",
    "Rousseau",
    "Müller",
    "Schröder",
    "Weiß",
    "Krüger",
    "Hoffmann",
    "Schäfer",
    "Johansson",
    "Sjöberg",
    "Lindqvist",
    "Ødegård",
    "Håkansson",
    "Virtanen",
    "Jääskeläinen",
    "Sigurðardóttir",
    "Rossi",
    "Esposito",
    "Dvořák",
    "Kovács",
    "Szabó",
    "Petrauskienė",
    "Bērziņš",
    "Krasniqi",
    "Moyo",
    "Mutasa",
    "Kamau",
    "Tesfaye",
    "Dela Cruz",
)

# Teams in a children's services department.
TEAM_NAMES: tuple[str, ...] = (
    "Assessment and Intervention North",
    "Assessment and Intervention South",
    "Children in Care",
    "Child Protection East",
    "Child Protection West",
    "Care Leavers",
    "Disabled Children's Team",
    "Family Help South",
    "Family Help Central",
    "Fostering Support",
    "MASH and Front Door",
    "Adolescents & Exploitation",
    "Court and Permanence",
    "Kinship Care",
    "Edge of Care",
    "Unaccompanied Children and Young People",
    "ASYE Academy",
)

# The fictional council used throughout the demo data.
ORGANISATION_NAME: str = "Northmere Borough Council Children's Services"

# Pseudonymous case reference prefixes; the generator appends digits.
CASE_REFERENCE_PREFIXES: tuple[str, ...] = (
    "CR",
    "FAM",
    "CP",
    "CIN",
    "CLA",
    "EH",
)

# Who else was present during the observed session.
OTHERS_PRESENT: tuple[str, ...] = (
    "Mother and two younger siblings",
    "Foster carer",
    "Interpreter (Polish)",
    "Health visitor",
    "Father by video call",
    "Both parents",
    "Maternal grandmother",
    "Kinship carer (aunt)",
    "Residential key worker",
    "School designated safeguarding lead",
    "Independent reviewing officer",
    "Conference chair and core group members",
    "Mother's partner",
    "Interpreter (Arabic)",
    "Interpreter (Romanian)",
    "Family support worker",
    "Personal adviser",
    "Supervising social worker (fostering)",
    "Advocate for the young person",
    "Mother and baby",
    "Father and paternal grandmother",
    "Police officer and health visitor (strategy meeting)",
    "Team manager",
    "Three team colleagues (group supervision)",
    "No one else present",
)

# Who agreed to the observation taking place.
CONSENT_GIVEN_BY: tuple[str, ...] = (
    "Mother",
    "Father",
    "Both parents",
    "Foster carer",
    "Young person (aged 15)",
    "Young person (aged 17)",
    "Kinship carer",
    "Special guardian",
    "Mother and young person (aged 13)",
    "Residential key worker and young person",
    "Paternal grandmother (main carer)",
    "All family members at the meeting",
)

# How consent to the observation was given.
CONSENT_HOW: tuple[str, ...] = (
    "Verbally at the start of the visit",
    "Agreed by phone the day before",
    "Written consent on the consent form",
    "By text message in advance, confirmed verbally on arrival",
    "By email to the social worker",
    "Through the interpreter at the start of the visit",
    "Agreed at the start of the meeting and noted in the minutes",
    "Using the easy-read consent form with the young person",
)

# Agreed focus for observations of practice with children and families.
FOCUS: tuple[str, ...] = (
    "Using a three houses tool to hear the child's worries",
    "Explaining the child protection plan to parents",
    "Seeing the child alone during a statutory visit",
    "Observing parent–baby interaction and safe sleep arrangements",
    "Reviewing progress against the child in need plan",
    "Chairing a core group meeting",
    "Presenting the social work report at an initial child protection conference",
    "Completing a pathway plan review with a care leaver",
    "Life story work with a child in long-term foster care",
    "Safety planning with a young person at risk of exploitation",
    "Exploring the impact of domestic abuse with the mother",
    "Working with an interpreter during a home visit",
    "Direct work with a non-verbal child using a communication board",
    "Discussing contact arrangements with the foster carer",
    "Completing a genogram with the family",
    "Challenging a father who minimises the concerns",
    "Using scaling questions to review the safety plan",
    "Sharing the outcome of an assessment with parents",
    "Visiting an unaccompanied young person in supported accommodation",
    "Explaining section 20 accommodation to parents",
    "Gathering the child's wishes and feelings before a looked-after review",
    "Assessing home conditions and neglect",
    "Introducing a new social worker to the family",
    "Building a relationship with a young person who has refused visits",
)

# Agreed focus for observations of supervision (individual or group).
SUPERVISION_FOCUS: tuple[str, ...] = (
    "Reflective discussion of a case at risk of drift",
    "Case direction for a family awaiting a legal planning meeting",
    "Reviewing the child protection plan before the review conference",
    "Workload and wellbeing check-in with a social worker in their ASYE",
    "Using a reflective model to think about a hostile family",
    "Group supervision: case discussion using the Signs of Safety framework",
    "Checking that decisions are recorded with a clear rationale",
    "Planning direct work with a child who does not use speech",
    "Reviewing care plans for children in long-term foster care",
    "Talking through the impact of a difficult home visit on the worker",
    "Agreeing next steps after a strategy discussion",
    "Supporting a worker through their first care proceedings",
)

# Evidence an observer records against a practice standard.
EVIDENCE: tuple[str, ...] = (
    (
        "The social worker explained the purpose of the visit in plain language and checked that "
        "the mother understood before moving on."
    ),
    (
        "A. was seen alone in their bedroom for twenty minutes and was asked what a good day and a "
        "bad day at home look like."
    ),
    (
        "The worker used a three houses tool with the child, writing the child's own words in each "
        "house rather than summarising them."
    ),
    (
        "Risk was discussed openly: the worker named the concern about domestic abuse without "
        "blaming the mother and linked it to the impact on the baby."
    ),
    (
        "The practitioner referred back to the child protection plan and checked progress against "
        "each action, noting which were overdue."
    ),
    (
        "Scored risk as 6/10 with the family (<7 means 'manageable' & monitored) and explained "
        "what would move the score up or down."
    ),
    (
        "The worker noticed that the baby's nappy had not been changed for some time and raised "
        "this sensitively with the father during the visit."
    ),
    (
        "Direct work was pitched well for the child's age; the worker used drawing and let the "
        "child set the pace."
    ),
    (
        "The worker did not explore the gaps in the school attendance record, so an opportunity to "
        "understand the young person's week was missed."
    ),
    (
        "The social worker acknowledged the father's anger about the conference decision, stayed "
        "calm and brought the conversation back to the child's safety."
    ),
    (
        "An interpreter was booked in advance and the worker spoke directly to the mother rather "
        "than to the interpreter throughout."
    ),
    (
        "The worker checked the sleeping arrangements and looked at the baby's cot, asking "
        "practical questions about safe sleep."
    ),
    (
        "The plan was described to the young person in terms of what would change for them, not in "
        "terms of services and meetings."
    ),
    (
        "The case record from the previous visit was up to date, and the actions agreed then were "
        "followed up today."
    ),
    (
        "When the mother mentioned a new partner, the worker asked appropriate questions and "
        "explained that checks would be needed, giving clear reasons."
    ),
    (
        "The chronology had not been updated since the last strategy discussion, which limited the "
        "worker's ability to see a pattern of missed health appointments."
    ),
    (
        "The worker used the young person's preferred name and pronouns consistently and checked "
        "who else knew about them."
    ),
    (
        "The practitioner observed the interaction between the mother and the baby and later "
        "described specifically what they had seen – eye contact, soothing and quick responses to "
        "crying."
    ),
    (
        "The worker asked the foster carer about the child's routines after contact, and together "
        "they noticed a pattern of poor sleep on contact nights."
    ),
    (
        "Strengths in the family network were identified: the maternal grandmother's daily support "
        "was named and recorded as a protective factor."
    ),
    (
        "The worker did not check the young person's understanding of the safety plan, so it is "
        "not clear that they know who to call if worried."
    ),
    (
        "The social worker escalated the lack of progress on the housing referral to the team "
        "manager on the same day and recorded the escalation."
    ),
    (
        "At the core group the worker summarised the progress made since the conference and was "
        "honest that the main risk had not reduced."
    ),
    (
        "The worker went through the written agreement with the parents, reading each point aloud "
        "and inviting them to change wording that was unclear."
    ),
    (
        "The practitioner's questions were mostly closed, which limited what the child was able to "
        "say about life at home."
    ),
    (
        "A. was offered a choice about where to talk and chose the garden; the worker followed "
        "this and kept the conversation light to begin with."
    ),
    (
        "The worker made good use of silence and gave the father time to answer difficult "
        "questions about his drinking."
    ),
    (
        "The social worker reflected the child's words back accurately at the conference: \"I "
        "don't like it when they shout at night.\""
    ),
    (
        "Cultural identity was considered; the worker asked about the family's faith and how the "
        "young person's religious practice could continue in placement."
    ),
    (
        "The worker brought a clear agenda and shared it at the start, which helped the parents "
        "feel less anxious about the meeting."
    ),
    (
        "The worker appeared rushed and ended the visit before the young person had finished "
        "talking about school."
    ),
    (
        "Information from the health visitor was checked against what the parents reported, and "
        "the discrepancy about the baby's weight gain was followed up."
    ),
    (
        "The social worker recognised possible signs of criminal exploitation – new clothes, a "
        "second phone and late nights – and discussed them with the young person."
    ),
    (
        "The worker explained the young person's right to an advocate and left a leaflet in an "
        "accessible format."
    ),
    (
        "The practitioner knew the case had been discussed in supervision and referred to the "
        "manager's direction during the visit."
    ),
    (
        "Clear, time-limited actions were agreed at the end of the meeting, with a named person "
        "responsible for each."
    ),
    (
        "The worker did not introduce the observer or explain why they were there, and the mother "
        "appeared uncomfortable as a result."
    ),
    (
        "The child's lived experience was described vividly in the worker's notes, including what "
        "the child eats for breakfast and who takes them to school."
    ),
    (
        "The social worker used a scaling question with the parents and recorded the different "
        "scores each parent gave."
    ),
    (
        "Contingency planning was discussed, and the parents knew what would happen if the agreed "
        "safety plan broke down."
    ),
    (
        "The worker's tone was warm and respectful throughout, and the mother said at the end that "
        "she felt listened to."
    ),
    (
        "The practitioner challenged the father's minimising of the injury and returned calmly to "
        "the medical evidence."
    ),
    (
        "With the parents' agreement, the worker looked at the kitchen and the children's bedrooms "
        "and commented on the improvements made."
    ),
    (
        "The young person helped to write their own pathway plan goals, and these were recorded in "
        "their words."
    ),
    (
        "Direct work resources were prepared in advance and adapted for the child's communication "
        "needs, including Makaton signs."
    ),
    (
        "The worker did not ask about the older sibling, who was not present, so the picture of "
        "the household was incomplete."
    ),
    (
        "The worker's analysis linked the parents' history with the current risk and stated what "
        "needs to be different for the child to be safe."
    ),
    (
        "The worker sought the views of the school's designated safeguarding lead before the visit "
        "and used them to shape the conversation."
    ),
    (
        "A. was asked about their three wishes; the worker wrote them down and read them back to "
        "check they were right."
    ),
    (
        "The practitioner explained accurately to the parents why a section 47 enquiry was being "
        "made and what it would involve."
    ),
    (
        "The worker was clear about the local authority's concerns without using jargon; terms "
        "such as 'core group' were explained."
    ),
    (
        "The plan for the next visit was specific: to see the child alone at school before the "
        "review conference."
    ),
    (
        "The social worker noticed the baby startle when the father raised his voice and recorded "
        "this as part of the observation of the home."
    ),
    (
        "Partnership working was evident: the worker had agreed with the school nurse who would "
        "raise the young person's self-harm with the GP."
    ),
    (
        "There was a tendency to accept the mother's account at face value without checking it "
        "against information from other agencies."
    ),
    (
        "The worker used a 'worries, what's working well, next steps' structure that the family "
        "recognised from earlier meetings."
    ),
    (
        "The practitioner was curious about an unfamiliar name on the visitor list and followed it "
        "up with the mother after the visit."
    ),
    (
        "The young person's wish to see their brother more often was recorded and taken forward to "
        "the next looked-after review."
    ),
    (
        "The worker managed the presence of the mother's friend well, asking to speak with the "
        "mother privately for part of the visit."
    ),
    (
        "The worker explained the legal framework accurately, including the difference between "
        "section 20 accommodation and a care order."
    ),
    (
        "The social worker kept the child at the centre of the meeting, bringing the discussion "
        "back to the child's experience whenever it drifted to adult disputes."
    ),
    (
        "The visit was timed to coincide with bath and bedtime, giving a realistic picture of the "
        "evening routine."
    ),
    (
        "The worker did not note the child's own words during the visit and relied on memory "
        "afterwards, which risks losing the detail."
    ),
    (
        "The worker gave the foster carer clear feedback on the child's progress and thanked her "
        "for the detailed daily log."
    ),
    (
        "A safety plan was written with the young person and included places, people and apps they "
        "feel safe using."
    ),
    (
        "The practitioner recognised that the plan had drifted and proposed a review with the team "
        "manager within two weeks."
    ),
    (
        "The worker explained the threshold for a child protection conference accurately, "
        "proportionately and honestly, including the possible outcomes."
    ),
    (
        "The worker asked the child about friends, hobbies and favourite foods before moving on to "
        "harder questions, which helped to build trust."
    ),
    (
        "The worker named neglect clearly as the concern, giving specific examples rather than "
        'general statements about "home conditions".'
    ),
    (
        "A genogram was used to explore who is important to the child, and the child added two "
        "people the worker had not known about."
    ),
    (
        "The worker was aware of the father's learning disability and adjusted the pace, using "
        "short sentences and checking understanding."
    ),
    (
        "The social worker's conference report had been shared with the parents in good time, and "
        "they had read it before the meeting."
    ),
    (
        "The worker did not challenge a derogatory comment about the young person's sexuality made "
        "by a relative, which was a missed opportunity."
    ),
    (
        "Actions from the last core group were reviewed one by one; two were complete, one was "
        "not, and the reasons were recorded."
    ),
    (
        "The worker explored the impact of the mother's mental health on the children's routines, "
        "including who makes breakfast and gets them to school."
    ),
    (
        "The practitioner gave a clear professional opinion when asked by the conference chair and "
        "explained the reasoning behind it."
    ),
    (
        "The worker checked that the young person is registered with a GP and a dentist and that "
        "their health assessment is up to date."
    ),
    (
        "The worker sat on the floor at the child's level, followed the child's play and commented "
        "on it rather than directing it."
    ),
    (
        "The worker used the child's love of football to explain the plan as \"the team around "
        'you", which the child clearly understood.'
    ),
    (
        "The baby was seen awake, was held by the worker with the mother's permission and was "
        "observed feeding; alertness and skin condition were noted."
    ),
    (
        "The worker was open about what would be recorded and who would see it, and offered the "
        "mother a chance to correct the record."
    ),
    (
        "The worker's risk analysis separated past harm, current danger and future likelihood, "
        "which made the reasoning easy to follow."
    ),
    (
        "The worker remembered details from earlier visits, such as the child's new puppy, which "
        "the child clearly appreciated."
    ),
    (
        "Transitions were considered: the worker talked with the young person about moving to "
        "secondary school and what support would help."
    ),
    (
        "The worker noted that the parents had attended only one of four parenting sessions and "
        "explored the barriers without judgement."
    ),
    (
        "The practitioner had read the previous assessments and the family history before the "
        "visit and referred to them appropriately."
    ),
    (
        "The worker asked the father about his own experience of being in care and linked it "
        "sensitively to his hopes for his children."
    ),
    (
        "The session ended with a calming activity, and the child was settled when the worker left "
        "the placement."
    ),
    (
        "The worker compared the child's presentation with the last visit and noted improved "
        "hygiene and a more relaxed manner."
    ),
    (
        "The young person's view that the plan was 'a load of meetings about me, without me' was "
        "recorded and taken seriously."
    ),
    (
        "The worker agreed with the mother how each child would be told about the plan, using "
        "words suited to each child's age."
    ),
    (
        "The 'words and pictures' approach helped the child begin to understand why they cannot "
        "live at home at present."
    ),
)

# Strengths seen in the observed practice.
STRENGTHS: tuple[str, ...] = (
    "A warm, respectful relationship with the family; the mother was relaxed and open throughout.",
    "Excellent use of direct work tools, adapted to the child's age and interests.",
    "The child's voice was captured in their own words and used to shape the plan.",
    "Clear, jargon-free explanation of the local authority's concerns.",
    "Calm and confident when the father became angry, keeping the focus on the child.",
    (
        "Thorough preparation: the worker had read the history and spoken to the school before the "
        "visit."
    ),
    "Good professional curiosity about changes in the household.",
    (
        "A strong analysis of risk that links the history, the current concerns and the child's "
        "daily experience."
    ),
    "Skilled use of scaling questions to understand the parents' view of progress.",
    "Support and challenge were well balanced.",
    "Timely escalation of drift to the team manager, with a clear written record.",
    "Good use of an interpreter, speaking directly to the family and checking understanding.",
    "Sensitive attention to the family's culture, faith and language.",
    "The actions agreed were specific, realistic and time-limited.",
    "The young person was genuinely involved in planning, not just consulted.",
    "Strong multi-agency working, with clear agreement about who does what.",
    "Honest and open about the possible outcomes, including legal proceedings.",
    "Patient, child-led play that helped a shy child begin to talk.",
    "Careful observation of parent–child interaction, described in specific terms.",
    "Good knowledge of the legal framework and procedures, explained accurately.",
    "Recording is up to date, analytical and written to the child.",
    "The worker recognised and named the family's strengths, which helped engagement.",
    "Close attention to the baby's needs, including feeding, sleep and safe handling.",
    "Reflective and open to feedback during the debrief.",
    "Good management of a complex meeting with several professionals and family members.",
    "A clear focus on the plan and on progress against it.",
    "A creative approach to engaging a reluctant young person, including meeting in a café.",
    "Safety planning was practical and owned by the family.",
    "Good awareness of contextual safeguarding and risks outside the home.",
    "Communication was adapted well for a parent with learning needs.",
    (
        "The child stayed at the centre of a meeting where the adults' conflict could easily have "
        "dominated."
    ),
    "Consistent, reliable follow-up of actions from the previous visit.",
    "Genuine interest in the child's hobbies, friends and achievements.",
    "Clear and compassionate when sharing difficult news.",
    "Good use of a genogram and ecomap to understand the family network.",
    "A well-structured visit with a clear beginning, middle and end.",
    "Appropriate challenge of partner agencies when information was missing.",
    "Supportive feedback to the foster carer, recognising her skill and commitment.",
    "Calm, organised and confident in the role.",
    "Good understanding of trauma and its effect on the child's behaviour.",
    "Checked the child's understanding rather than assuming it.",
    "Made sure the child knew how to contact the worker and when the next visit would be.",
)

# Areas for development in the observed practice.
DEVELOPMENT_AREAS: tuple[str, ...] = (
    "Spend more time with the child alone; most of the visit was spent with the parents.",
    "Use more open questions to help the child talk about their day-to-day life.",
    "Note the child's own words during or straight after the visit.",
    (
        "Be more specific about the concerns; general terms such as 'home conditions' left the "
        "parents unsure what needs to change."
    ),
    "Check the parents' understanding of the plan before ending the meeting.",
    "Update the chronology so that patterns are easier to see.",
    "Check the parents' account against information from school and health.",
    "Be more curious about new adults in the household and complete checks promptly.",
    "Plan each visit with a clear purpose and share it with the family at the start.",
    "Avoid professional jargon, or explain terms such as 'section 47' when they are used.",
    "Offer more challenge when the parents minimise the concerns.",
    "Make actions specific and measurable, with a named person and a date for each.",
    "Consider the child's identity, culture and faith more explicitly in the assessment.",
    "Slow the pace; the child appeared overwhelmed by the number of questions.",
    "Bring the discussion back to the child when the meeting drifts towards adult disputes.",
    "Escalate drift sooner; the referral had been outstanding for six weeks.",
    (
        "Strengthen the analysis so that it explains what the information means for the child, not "
        "only what happened."
    ),
    "Introduce the observer and explain the purpose of the observation at the start.",
    "Prepare age-appropriate direct work materials before the visit.",
    "Agree a contingency plan with the family so they know what happens if the plan breaks down.",
    "Seek the views of the parent who was absent and record why they were not involved.",
    "Look at the child's bedroom and sleeping arrangements as part of each statutory visit.",
    "Use supervision to reflect on how the family's hostility may be affecting decisions.",
    "Balance warmth with clarity; the main message about risk was lost in reassurance.",
    "Check the young person's understanding of the safety plan and who to contact.",
    "Record the rationale for decisions, including decisions not to take action.",
    "Share reports with the family in good time before meetings.",
    "Involve the young person more directly in setting their own goals.",
    "Pay closer attention to non-verbal communication between the baby and the parent.",
    "Consider the needs of every child in the household, including those not present.",
    "Be more confident in giving a professional opinion when asked.",
    "Manage time so that the visit does not end before the child has finished talking.",
    "Use a professional interpreter rather than relying on a family member to translate.",
    "Follow up promptly on actions agreed with partner agencies.",
    "Explore the impact of parental substance use on the children's routines.",
    "Develop knowledge of the signs of child criminal exploitation and the local referral pathway.",
    "End each visit by summarising what has been agreed and what happens next.",
    "Write case notes to the child, so the record makes sense to them if they read it later.",
    "Use the genogram to identify family members who could offer support.",
    "Consider whether an advocate would help the young person's voice be heard at the review.",
    "Review the language used in recording so that it is respectful and non-blaming.",
    "Give the parents the chance to say what is working well, not only what is worrying.",
    (
        'Record scaling scores consistently; the last note said "<5" without saying who gave the '
        "score or why."
    ),
)

# The child's voice and lived experience: day-to-day life, wishes and feelings.
CHILD_VOICE: tuple[str, ...] = (
    "The child said that the best part of the day is walking to school with their older brother.",
    'A. likes drawing animals and said the dog is "the best thing in the house".',
    (
        "The young person said they feel safest at their nan's, where it is quiet and there is "
        "always food in the cupboard."
    ),
    "The child told the worker that they sometimes go to bed hungry when their mum is unwell.",
    "The baby was alert and smiled at the mother, who responded quickly whenever the baby cried.",
    (
        "A. said they do not like the shouting at night and put their hands over their ears while "
        "talking about it."
    ),
    (
        "The young person wants to stay at the same school because their friends are there and "
        "they are doing well at football."
    ),
    (
        "The child described a typical morning: getting dressed on their own, eating cereal and "
        "waiting for a neighbour to take them to school."
    ),
    (
        "A. said they miss their dad and would like to see him at weekends, but only if \"he isn't "
        'drinking".'
    ),
    (
        "The young person said they find meetings boring and would rather talk to the worker on "
        "their own."
    ),
    "The child drew their family and placed themselves next to their foster carer and the cat.",
    (
        "The young person said they are worried about moving to their own flat and do not know how "
        "to pay bills."
    ),
    "The child said their favourite thing at the foster home is Friday film night with popcorn.",
    (
        "A. told the worker that they look after their younger sister when their mum is asleep in "
        "the afternoon."
    ),
    (
        'The young person said they go to the park with older friends and "sometimes get given '
        'stuff", then changed the subject.'
    ),
    'The child said they feel "a bit happy and a bit sad" after contact with their mother.',
    (
        "The baby's routine is led by the grandmother, who described regular feeds, daytime naps "
        "and a settled evening."
    ),
    'A. said school is "okay" but they do not like lunchtime because they sit on their own.',
    'The young person wants people to stop asking the same questions and to "just sort it".',
    (
        "The child was quiet at first but, while building with Lego, said they are scared of their "
        "mum's new boyfriend."
    ),
    'A. uses a communication board and chose the pictures for "happy", "home" and "swimming".',
    "The young person said they are proud of getting a Saturday job at the bakery.",
    'The child said bedtime is "whenever" and that they often play on the tablet until late.',
    (
        "A. wishes they could live with their mum again but said they understand why they can't at "
        "the moment."
    ),
    (
        "The young person said their faith is important to them and asked whether they could go to "
        "the mosque on Fridays."
    ),
    'The child said they like it when the worker visits because "you actually play with me".',
    'The young person described feeling "invisible" at home since the new baby arrived.',
    (
        "A. told the worker that the house is cold and that they sometimes sleep in their school "
        "jumper."
    ),
    (
        "The child said their three wishes were a bike, a bigger bedroom and for their parents to "
        "stop arguing."
    ),
    "The young person said they want to learn to cook before they leave care.",
    (
        "The child said they are no longer scared at home since their dad moved out and that they "
        "sleep better now."
    ),
    "A. was excited to show the worker a certificate from school for good reading.",
    'The young person said they find it hard to trust professionals because "everyone leaves".',
    (
        "The child said that on a good day they go swimming with their foster carer and have fish "
        "and chips afterwards."
    ),
    "A. said they sometimes miss school to look after their mum when her back is bad.",
    (
        "The young person would like to keep in touch with their previous foster carer and asked "
        "whether they could visit her."
    ),
    (
        "The child told the worker that the best thing about their new home is having a bed of "
        "their own."
    ),
    (
        "The baby was clean, appropriately dressed and settled in the father's arms; he spoke "
        "softly to the baby throughout."
    ),
    "A. said their older cousin helps with homework and makes them laugh.",
    (
        'The young person said they want their social worker to "tell me things straight, not in '
        'code".'
    ),
    (
        "The child said they feel nervous when there is a knock at the door because it might be "
        "the police again."
    ),
    (
        "The young person talked about missing their grandmother and their home country, and about "
        "learning English at college."
    ),
    (
        "A. said that when they are worried they go to their room and listen to music with "
        "headphones on."
    ),
)

# What the child or family said about the visit or meeting.
FAMILY_FEEDBACK: tuple[str, ...] = (
    'The mother said the worker "actually listened this time" and explained things clearly.',
    "The father said he felt judged at the start but that the worker was fair by the end.",
    (
        'The young person said the visit was "fine" and that they liked going for a walk rather '
        "than sitting in the lounge."
    ),
    "The foster carer said the worker is reliable and always returns calls.",
    (
        "The child said they liked the drawing activity and asked whether they could do it again "
        "next time."
    ),
    "The mother said she now understands what the plan is and what she needs to do.",
    (
        "Both parents said they would have liked the report earlier so that they could read it "
        "properly."
    ),
    'The grandmother said, "She\'s the first social worker who has asked what I think."',
    'The young person said the worker "doesn\'t talk down to me".',
    "The father said he found the meeting stressful but appreciated being given time to speak.",
    (
        "The mother said the interpreter made a big difference and that she could say what she "
        "wanted to say."
    ),
    'The child said the worker was "kind and funny" and gave a thumbs up.',
    (
        "The young person said they would prefer the observer not to come next time, and this was "
        "respected."
    ),
    (
        "The mother said she felt overwhelmed by the number of questions but understood why they "
        "were asked."
    ),
    "The foster carer said she valued the worker's advice about settling the child after contact.",
    'The father said: "I know where I stand now, even if I don\'t like it."',
    "The young person said they would rather be sent a text than phoned.",
    "The mother said the visit felt less like an inspection than previous ones.",
    (
        "The parents said they were unclear why the case had moved to child protection and asked "
        "for it to be explained again."
    ),
    "The child said they liked that the worker remembered their birthday.",
    (
        "The mother said she appreciated being told honestly what could happen if things did not "
        "change."
    ),
    "The young person said the meeting was too long and there were too many people in the room.",
    (
        "The kinship carer said she felt supported for the first time and knew who to call in a "
        "crisis."
    ),
    "The father asked for visits after work so that he can be there.",
    'The mother said, "You\'ve explained it better in ten minutes than anyone has in six months."',
    "The young person said they felt listened to about contact with their brother.",
    'The child said the visit was "boring" at the start but "good when we played".',
    (
        "The mother said she had been worried about what the observer would write but felt "
        "reassured after it was explained."
    ),
    "The father said the worker was respectful of the family's faith and culture.",
    "The young person said they liked having a say in where the meeting took place.",
    "The foster carer said the visit was well organised and that the worker arrived on time.",
    (
        "The mother said she felt blamed for her ex-partner's behaviour, and the worker "
        "acknowledged this."
    ),
)

# The practitioner's own reflection on the session, in the first person.
REFLECTION: tuple[str, ...] = (
    (
        "I think I relied too much on what the mother told me, and I need to check it with the "
        "school before the next visit."
    ),
    (
        "I was pleased with how the three houses tool went, but I ran out of time to explain the "
        "plan properly."
    ),
    (
        "I felt anxious when the father raised his voice, and on reflection I softened the message "
        "about risk more than I should have."
    ),
    "I want to get better at noting the child's own words during the visit rather than afterwards.",
    (
        "Being observed made me more aware of my questions, and I noticed how many of them were "
        "closed."
    ),
    "I think the young person engaged better because we met somewhere they chose.",
    (
        "I need to be clearer about what will happen if the plan is not followed, while staying "
        "supportive."
    ),
    "I am proud of how I kept the meeting focused on the child when the parents started arguing.",
    "I realise I did not ask about the older sibling, and I will make sure I see him this week.",
    (
        "Preparing the direct work the day before made the session calmer, and I want to keep "
        "doing that."
    ),
    (
        "I would like to use supervision to think about how to work with a family who are polite "
        "but not changing."
    ),
    (
        "I was not sure how to respond when the young person mentioned being given things by older "
        "boys, and I want to learn more about exploitation."
    ),
    "The interpreter helped, but I need to allow more time when one is needed.",
    "I notice that I talk more when I am nervous, and I want to use silence more.",
    (
        "On reflection I should have looked at the baby's sleeping arrangements myself rather than "
        "accepting the description."
    ),
    "I felt the visit went well, and the foster carer's feedback confirmed that.",
    "I am still learning the legal framework and would value shadowing a colleague at court.",
    "I want to write my case notes to the child, so they make sense if A. reads them one day.",
    (
        "I think my analysis is improving, but I still tend to describe what happened rather than "
        "explain what it means for the child."
    ),
    "I was worried about the observation beforehand, but the feedback was fair and useful.",
    "I could have ended the visit better by summarising what we had agreed.",
    "I need to escalate sooner when partner agencies do not complete their actions.",
    (
        "I had not considered how the family's faith shapes their view of the plan, and I will ask "
        "about it next time."
    ),
    "I was conscious of my caseload, and I think that made me rush the ending.",
    "I want to build my confidence in giving a clear professional opinion at conference.",
    "Watching how the child played told me more than my questions did.",
    "I felt I balanced support and challenge well, although the mother may not see it that way.",
    "I will ask the young person how they would like to be contacted rather than assuming.",
    (
        "I was glad I had read the history beforehand, because it helped me spot the pattern of "
        "missed appointments."
    ),
    (
        "I recognise that the hostility in this family has affected me, and I need to talk about "
        "it in supervision."
    ),
    "I think I was too directive in the play session, and next time I want to let the child lead.",
    "I will use the scaling question again, because it helped the parents say what had changed.",
)

# Rationale for the overall judgement.
RATIONALE: tuple[str, ...] = (
    (
        "The child was seen alone, their views were clearly recorded and used, and risk was "
        "explained in a way the family could understand."
    ),
    "Practice was consistently child-focused and the analysis of risk was clear.",
    (
        "Relationships with the family are strong, but the child's voice was not captured in "
        "enough detail to judge this as good."
    ),
    (
        "The worker showed skill in direct work and in managing conflict, and the plan is clear "
        "and progressing."
    ),
    (
        "Although the visit was warm and respectful, the main concerns were not discussed with the "
        "parents."
    ),
    (
        "Practice was exceptional: the child's lived experience shaped every part of the visit and "
        "the plan, and the family felt fully involved."
    ),
    (
        "The worker was well prepared and kept the focus on the child, but the actions agreed were "
        "not specific enough to measure progress."
    ),
    (
        "There were significant gaps in the assessment of risk to the baby, including safe sleep "
        "and the new partner, so the baby's safety cannot be assured."
    ),
    (
        "The standard was met in most areas; the development points are about consistency rather "
        "than gaps in knowledge."
    ),
    (
        "Strong partnership working and honest communication with the parents outweigh minor gaps "
        "in recording."
    ),
    "The young person was genuinely involved in planning, and their views changed the plan.",
    (
        "The chronology and recording were out of date, which limited the quality of the analysis; "
        "other practice was sound."
    ),
    (
        "The judgement reflects clear, confident practice from a worker early in their career, "
        "with appropriate use of supervision."
    ),
    (
        "Drift in the plan was identified and escalated promptly, and the family understood what "
        "would happen next."
    ),
    (
        "The worker's warmth and clarity helped the parents accept the concerns, and there is "
        "evidence of progress since the conference."
    ),
    (
        "The child was not seen alone and the reason was not recorded, which is a significant gap "
        "in a statutory visit."
    ),
    "Good practice was seen throughout, but the child's identity needs were not explored.",
    (
        "The judgement is based on what was observed during this session and the records read "
        "beforehand, not on the case as a whole."
    ),
    (
        "Direct work was skilful and creative, and the child's words are clearly reflected in the "
        "plan."
    ),
    (
        "The worker managed a difficult, hostile meeting calmly and kept the discussion on the "
        "children's safety."
    ),
    (
        "Relationships with the family are positive, but planning was unclear and progress cannot "
        "yet be measured."
    ),
    (
        "The baby's needs were seen and assessed in detail, and the worker's observations were "
        "specific and well recorded."
    ),
    (
        "The worker meets the expected standard for their stage of the ASYE, and clear areas for "
        "development have been agreed."
    ),
    "Risk was analysed clearly and proportionately, with a contingency plan the family understood.",
    (
        "The observation showed consistent, reflective practice and a secure understanding of the "
        "legal framework."
    ),
    (
        "There was limited evidence of the young person's voice in the plan, which is central to "
        "the standard."
    ),
    (
        "Honest, jargon-free communication and careful follow-up of earlier actions were evident "
        "throughout."
    ),
    (
        "The evidence shows a worker who is curious, well organised and child-centred, with a few "
        "areas to strengthen."
    ),
    "Practice was safe but not yet consistently good; analysis and planning need strengthening.",
    (
        "Several standards were not observed in this session, so the overall judgement draws "
        "mainly on the child's voice, relationships and planning."
    ),
    (
        "The young person's safety plan was written with them and understood, and risks outside "
        "the home were recognised – this is strong practice."
    ),
)

# Evidence an observer records when observing a supervision session.
SUPERVISION_EVIDENCE: tuple[str, ...] = (
    (
        "The manager opened with a check on the worker's wellbeing and workload before moving on "
        "to case discussion."
    ),
    (
        'The supervisor used open, reflective questions such as "What is it like to be this child '
        'in this family?"'
    ),
    (
        "Case direction was clear and recorded during the session, with dates and the rationale "
        "for each decision."
    ),
    (
        "The supervisor challenged the worker's optimism about the father's engagement by asking "
        "what evidence of change there was."
    ),
    (
        "The session followed an agreed agenda, with cases prioritised by risk rather than by the "
        "order in which they were raised."
    ),
    "The supervisor checked whether the child had been seen alone and what the child had said.",
    (
        "Drift was identified in one case, and the manager agreed to escalate it to the service "
        "manager that week."
    ),
    (
        "The worker was given space to talk about the emotional impact of a hostile visit, and the "
        "supervisor acknowledged it."
    ),
    (
        "The supervisor did not record the rationale for stepping the case down, which will make "
        "the decision hard to understand later."
    ),
    (
        "The manager used a reflective cycle – experience, reflection, analysis, action – to help "
        "the worker move from describing the visit to planning what to do differently."
    ),
    "Learning and development needs were discussed and linked to the worker's ASYE portfolio.",
    (
        "The supervisor referred to the chronology and asked the worker to identify patterns "
        "before offering a view."
    ),
    (
        "The supervision record was written during the session and shared with the worker for "
        "agreement."
    ),
    (
        "The supervisor asked about the children's identity and culture and how these are "
        "reflected in the plan."
    ),
    "Contingency planning was discussed, including the threshold for a legal planning meeting.",
    (
        "The session was interrupted twice by phone calls, which broke the flow of the reflective "
        "discussion."
    ),
    (
        "The supervisor tended to give answers rather than helping the worker think through the "
        "options."
    ),
    (
        "Actions from the previous supervision were reviewed; most were complete, and the reason "
        "the remaining one was outstanding was recorded."
    ),
    (
        "In group supervision the facilitator made sure quieter members contributed and summarised "
        "the group's hypotheses at the end."
    ),
    "The supervisor helped the worker to separate their own anxiety from the evidence of risk.",
    (
        "Caseload numbers and complexity were reviewed, and one case was reallocated to make the "
        "worker's workload manageable."
    ),
    (
        "The supervisor asked what the young person wanted and whether their wishes had been "
        "shared at the last review."
    ),
    "Decisions were recorded on each child's file, not only in the worker's supervision notes.",
    "The manager was warm and supportive but did not challenge an assessment that lacked analysis.",
    (
        "The supervisor modelled curiosity by asking which adults visit the home and how this is "
        "known."
    ),
    (
        "The worker was encouraged to present the case under the headings 'worries', 'strengths' "
        "and 'next steps'."
    ),
    (
        "The supervisor checked the statutory timescales for visits, reviews and assessments on "
        "each case discussed."
    ),
    (
        "A supervision agreement setting out frequency, format and recording was in place and was "
        "referred to."
    ),
    (
        "The session ran over time, and the last two cases were discussed only briefly and without "
        "clear direction."
    ),
    (
        "The supervisor linked the discussion to research on neglect and suggested a short article "
        "for the worker to read."
    ),
    (
        "The worker's practice strengths were named specifically, which was motivating and built "
        "confidence."
    ),
    (
        "The supervisor and worker agreed a hypothesis about the family's disengagement and how to "
        "test it at the next visit."
    ),
    (
        "The supervisor noticed signs of fatigue and discussed leave, flexible working and the "
        "employee assistance programme."
    ),
    (
        "Management oversight was evident: the supervisor had read the latest assessment before "
        "the session."
    ),
)

# Strengths seen in an observed supervision session.
SUPERVISION_STRENGTHS: tuple[str, ...] = (
    "Clear, recorded case direction with a rationale for each decision.",
    "Genuine attention to the worker's wellbeing and workload.",
    "Skilled use of reflective questions that deepened the worker's analysis.",
    "Appropriate challenge, grounded in evidence rather than opinion.",
    "The child's voice and lived experience were at the centre of the discussion.",
    "A well-structured session with cases prioritised by risk.",
    "Drift was identified and escalated promptly.",
    "A safe space for the worker to talk about the emotional impact of the work.",
    "Good links between case discussion and the worker's learning and development.",
    "Timely, accurate recording shared with the worker for agreement.",
    "Strong knowledge of procedures and statutory timescales.",
    "Supportive, specific feedback that built the worker's confidence.",
    "Use of hypotheses to make sense of a complex family situation.",
    "Inclusive facilitation of group supervision that drew in every voice.",
    "The supervisor had prepared by reading the case records in advance.",
    "Support & challenge were balanced, so the worker left with a clear plan and felt supported.",
)

# Areas for development in an observed supervision session.
SUPERVISION_DEVELOPMENT_AREAS: tuple[str, ...] = (
    "Record the rationale for decisions, not only the decisions themselves.",
    "Protect supervision time from interruptions.",
    "Ask more open questions before offering a view.",
    "Challenge over-optimism by asking for evidence of change.",
    "Include a check on the worker's wellbeing at every session.",
    "Make sure each child's voice is discussed, not only the adults' circumstances.",
    "Review actions from the previous session at the start.",
    "Manage time so that every case discussed receives clear direction.",
    "Make sure case direction is recorded on the child's file promptly.",
    "Use a reflective model to move the discussion from description to analysis.",
    "Explore how the worker's own feelings may be influencing their judgements.",
    "Check statutory timescales routinely for each case discussed.",
    "Link the discussion to research and practice guidance where relevant.",
    "Agree a supervision agreement with the worker and review it regularly.",
    "Give more space to the worker's learning needs and professional development.",
    "Consider identity, culture and diversity more explicitly in case discussion.",
)

# Development actions: short imperative phrases without a closing full stop.
ACTIONS: tuple[str, ...] = (
    (
        "Complete direct work with A. using the 'words and pictures' approach before the next core "
        "group"
    ),
    "Attend the trauma-informed practice workshop",
    "Review the chronology and add the last three incidents",
    "See the child alone at school before the review conference",
    "Book a professional interpreter for all future visits to the family",
    "Update the safety plan with the young person and share it with the school",
    "Discuss the case in supervision and agree whether a legal planning meeting is needed",
    "Shadow a senior practitioner at an initial child protection conference",
    "Complete the online module on child criminal exploitation",
    "Record the child's words verbatim in the next three case notes",
    "Complete checks on the mother's new partner with the police and probation",
    "Share the conference report with the parents at least two working days in advance",
    "Complete a genogram and ecomap with the family at the next visit",
    "Read the safe sleep guidance and go through it with the parents",
    "Escalate the outstanding housing referral to the team manager",
    "Agree a contingency plan with the parents and record it on the file",
    "Arrange to see the older sibling at college",
    "Rewrite the plan's actions so that each has a named person and a date",
    "Attend the monthly reflective practice group for the next three months",
    "Observe an experienced colleague's direct work session with a younger child",
    "Make a referral for an independent advocate for the young person",
    "Complete the neglect assessment tool with the family within four weeks",
    "Contact the health visitor to confirm the baby's weight and development checks",
    "Seek the father's views and include them in the assessment",
    "Prepare direct work materials in the child's preferred format before each visit",
    "Attend training on working with parents who have learning disabilities",
    "Write the next case summary to the child",
    "Review the pathway plan with the young person and add their goals in their own words",
    "Discuss the impact of the family's hostility on your practice in supervision",
    "Set aside time to update case records within two working days of each visit",
    "Ask the school's designated safeguarding lead for this term's attendance record",
    "Explore the family's faith and cultural identity and reflect them in the plan",
    "Complete the ASYE critical reflection log for this observation",
    "Use scaling questions with both parents at the next core group",
    "Agree with the foster carer how life story work will begin",
    "Strengthen the analysis in the assessment so that it says what the risks mean for the child",
    "Arrange a joint visit with the substance misuse worker",
    "Check that the child's health assessment and dental check are up to date",
    "Summarise the agreed actions at the end of each visit and send them to the family in writing",
    "Read the research summary on adolescent neglect & discuss it at the next supervision",
    "Present the case at group supervision to test the current hypothesis",
    "Plan a session with the child about contact – why it happens and how it feels",
    "Request a copy of the child's education, health and care plan",
    "Agree with the school to reduce daily attendance checks once attendance is >95% for six weeks",
    'Complete the "Voice of the Child" e-learning module',
)
