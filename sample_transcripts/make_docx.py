"""Write the sample study's Word transcripts (``P03.docx``, ``P08.docx``, ``P13.docx``).

Each turn of the texts below becomes one paragraph that starts with its speaker label, the way a
transcription service delivers a .docx. Run ``python sample_transcripts/make_docx.py`` after editing.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from docx import Document

HERE = Path(__file__).resolve().parent
FIXED_DATE = (1980, 1, 1, 0, 0, 0)

TRANSCRIPTS: dict[str, str] = {
    "P03": """\
Interviewer: Thanks for agreeing to talk with me. Which project would you like to use as an example today?

P03: I'll take the translation paper we published last spring. We trained transformer models for translating between three low-resource languages and English, with quite small parallel corpora, maybe fifty thousand sentence pairs each.

Interviewer: And how did you choose the hyperparameters for those models?

P03: We started from the standard configuration in the original transformer paper and from a later paper that had worked specifically on low-resource settings. They recommend smaller models, more dropout, and a larger label smoothing value, so those were our starting points. Then for the final experiments we ran a grid over dropout, the number of layers and the learning rate warm-up, three or four values each.

Interviewer: Why a grid, rather than something like random search?

P03: Mainly because of reviewers, to be honest. In our community, if you report a grid, nobody asks questions. You write the values in a table in the appendix, and the reviewer sees that you tuned your baseline and your model with the same effort. We had a review in an earlier submission where someone said our baseline was under-tuned, and I did not want that again.

Interviewer: So fairness of the comparison was important.

P03: Exactly. The claim in the paper is that our method is better than the baseline. That claim only holds if both got the same treatment, and a grid makes that very easy to show.

Interviewer: Did anything make the grid difficult?

P03: Well, each model took about a day to train on one GPU, and with three language pairs the number of runs adds up fast. Our group has eight GPUs in total, and I could use maybe half of them for a few weeks. So the grid had to stay small, we could not put every parameter into it.

Interviewer: How did you decide which parameters to leave out?

P03: The ones I felt confident about I fixed by hand after a couple of quick runs, like the batch size and the vocabulary size. For the vocabulary size there was also a clear recommendation in the literature, so I just took it. And I wanted the grid to tell me something, so I put in the parameters where I genuinely did not know the answer, like how deep the model should be for such small data.

Interviewer: What did you learn from it?

P03: That depth mattered much less than dropout. The shallow models with strong dropout were as good as the deep ones, and that became one of the findings we discussed in the paper.

Interviewer: Were you aiming for the best possible scores?

P03: Of course we wanted good BLEU scores, but we were not chasing a leaderboard. The bigger goal was a fair, believable comparison.

Interviewer: Have you thought about Bayesian optimisation for this kind of work?

P03: I've read about it, and I know people who use it. For a paper like this one, though, I think it would have raised more questions than it answered. And the submission deadline was close, so there was no time to learn a new tool properly.

Interviewer: If you could wish for one improvement in how tuning is done in your field, what would it be?

P03: Hmm. I think a shared convention for how much tuning budget a baseline should get. At the moment everybody decides for themselves, and reviewers decide for themselves whether it was enough. If there were an agreed standard, say the same number of runs for every system in the table, a lot of arguments would disappear. And for low-resource languages in particular, it would help to have published search ranges that actually work for small data, instead of the ranges from papers that trained on millions of sentences.

Interviewer: Do you think an automated method could have found better settings than your grid?

P03: Possibly, yes. I would not be surprised if a good optimiser found a configuration that is a point or two better. But I'm not sure it would have changed the conclusion of the paper, and for us the conclusion was what mattered.

Interviewer: Thank you. To finish, a few questions about your background. How long have you worked in the field?

P03: About eight years. I did my PhD on machine translation and now I'm a postdoc in the same area, natural language processing in general.

Interviewer: Thank you, that was very clear.
""",
    "P08": """\
Interviewer: Thanks for taking the time. Could you tell me about a project in which you tuned a model?

P08: Yes. I'm in the analytics team of a telecom company, and last autumn I built a churn model, so predicting which customers will cancel their contract in the next three months. It's tabular data from our customer database, contract type, usage, complaints, that kind of thing.

Interviewer: How did you optimise the hyperparameters?

P08: I used the AutoML feature of our cloud data platform. You point it at a table, tell it which column is the target and which metric you care about, and it tries different model types and settings on its own. After about three hours it gave me a leaderboard, and the best model was a gradient-boosting model.

Interviewer: Why did you go for AutoML?

P08: Honestly, because I'm not a machine learning specialist. I studied economics, I know statistics and SQL, but I wouldn't know which hyperparameters of a boosting model to touch. The AutoML tool meant I could focus on the data, which I understand, and let the tool worry about the model.

Interviewer: Did it take much effort to set up?

P08: Almost none. The feature was already enabled in our platform, our data was already there, I didn't have to install anything or ask anyone for access. If I had needed to set up a server or a Python environment, I probably would have asked someone else to do the project.

Interviewer: How did you experience working with it?

P08: It's very easy. There's a wizard with maybe five steps, and the results page explains which features were most important. The only thing that annoyed me was that you can't see exactly what it tried, it only shows the best few models.

Interviewer: What were you aiming for with the model?

P08: We wanted to beat the current rule-based list, which flags customers with more than two complaints. The AutoML model found about twice as many of the actual churners in the top ten percent.

Interviewer: Did you try anything yourself after AutoML?

P08: A little bit. I changed the class weights by hand because the marketing team wanted fewer false alarms. That was a kind of manual adjustment, I guess, but more about the business threshold than the model.

Interviewer: Were there time constraints?

P08: Yes, the retention campaign for the new year was planned, and marketing needed the list by early December. So I had maybe three weeks in total, including getting the data together, and the AutoML part saved me a lot of that time.

Interviewer: How did your manager or colleagues react to the approach?

P08: My manager liked that the tool is from a big vendor. It was easier to convince the marketing director that the model is trustworthy when I could say it was built with the standard platform tool. In our team, most people use the platform tools for everything, so it fit in.

Interviewer: Was the amount of data a concern?

P08: Not really, we have about two million customers, so there was plenty of data. The platform charges by compute hour, though, so I stopped the search after three hours.

Interviewer: If you think about the next project, would you do it the same way?

P08: Probably yes for the first version. It's fast and I can explain it. But I would like to understand a bit more of what happens inside, so I'm taking an online course on machine learning at the moment. Maybe next time I can at least judge whether the settings the tool chose make sense.

Interviewer: Is there anything that would make such tools more useful for you?

P08: A plain explanation of what was tried, in normal language. Something like, we tried these five model types, this one won because of that. Right now the results page is full of terms I have to look up, and my manager asks me questions about it that I can't answer.

Interviewer: And finally, how many years have you been working with machine learning?

P08: About two years. Before that I did reporting and dashboards.

Interviewer: Thank you, that was very helpful.
""",
    "P13": """\
Interviewer: Thank you for making the time. Which project would you like to talk about?

P13: I'll talk about the ranking model for our video streaming service. It decides the order of the rows on the home screen for each user. It's a large deep model with a lot of sparse features, and we retrain it from scratch every quarter.

Interviewer: How did you optimise its hyperparameters?

P13: With Bayesian optimisation, using our company's internal tuning service, which wraps an open-source Bayesian library. We combine it with early stopping, so a trial that is clearly behind after the first pass over the data gets cancelled.

Interviewer: Why Bayesian optimisation here?

P13: A single training run takes about eighteen hours on a full node, so each trial is very expensive. When every trial costs that much, you want a method that learns from previous trials and doesn't waste evaluations. That's exactly what Bayesian optimisation is good at.

Interviewer: How many trials did you run?

P13: About one hundred and twenty, with sixteen running in parallel at any time. The service handles the batching, so the parallelism was not something I had to think about much.

Interviewer: And how large was the search space?

P13: Fourteen hyperparameters, including the embedding dimensions for the main feature groups, the learning rates for the dense and sparse parts, and the dropout. Random search would need far too many trials to cover that reasonably.

Interviewer: Did your previous experience play a role?

P13: Definitely. In my PhD I worked on Bayesian optimisation myself, so I'm comfortable with it and I know its failure modes. For example, I know that it can be too greedy with a small initial design, so I always start with about twenty random points.

Interviewer: How was the experience with the tuning service?

P13: It's very convenient because it's already integrated with our training infrastructure. You add a few lines to the training config, and it appears in the dashboard. The weak point is that the interface hides a lot of details, so when something goes wrong, it's hard to see why.

Interviewer: What were you optimising for?

P13: The offline metric is a ranking metric, a normalised discounted gain, computed on a held-out week of viewing data. We also track watch time in online tests, but we can't optimise that directly in the tuning loop.

Interviewer: Are there things you still set by hand?

P13: The architecture is set by hand, and so is the batch size, because that depends on the hardware. I also know from earlier quarters which parameters barely change, so I leave them out of the search.

Interviewer: Did the budget limit you in any way?

P13: We have a quarterly compute quota per team. The tuning for this model takes a large part of it, so other projects have to wait, and that's sometimes a discussion with my manager.

Interviewer: How do your colleagues tune their models?

P13: Most teams use the same tuning service, it's basically the company standard. People who want to use something else have to argue for it.

Interviewer: Have you ever compared the tuning service with something simpler?

P13: Once, as a side project. I ran a random search with the same number of trials on an older version of the model. Random search got within about half a percent, which surprised some people. But half a percent on the home screen is a lot of watch time, so nobody suggested switching.

Interviewer: What would you wish for from future research?

P13: Methods that transfer what was learned in last quarter's search to this quarter's. We start nearly from scratch every time, even though the model changes only a little between retrainings. That feels like a waste.

Interviewer: Last question on your background: how many years have you worked in machine learning?

P13: Seven years, including my PhD.

Interviewer: Thank you very much.
""",
}


def write_docx(stem: str, text: str, folder: Path = HERE) -> Path:
    """Write ``text`` (turns separated by blank lines) to ``folder/<stem>.docx``, one paragraph per turn."""
    document = Document()
    document.core_properties.title = f"Interview {stem}"
    document.core_properties.author = "codebench sample study"
    for turn in text.strip().split("\n\n"):
        document.add_paragraph(turn)
    buffer = io.BytesIO()
    document.save(buffer)
    path = folder / f"{stem}.docx"
    path.write_bytes(_fixed_timestamps(buffer.getvalue()))
    return path


def _fixed_timestamps(package: bytes) -> bytes:
    """The same .docx package with every member dated 1980-01-01, so rebuilding changes no bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            target.writestr(zipfile.ZipInfo(member.filename, FIXED_DATE), source.read(member),
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def main() -> None:
    """Write every transcript in ``TRANSCRIPTS``."""
    for stem, text in TRANSCRIPTS.items():
        write_docx(stem, text)


if __name__ == "__main__":
    main()
