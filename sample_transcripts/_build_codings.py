"""Write the sample study's coding CSVs (``codings/<coder>.csv``) and its answer key (``codebook.csv``).

The data below is declarative: every coded passage of every interview, with the concept it expresses
and how each of the three fictional coders treated it. Run ``python sample_transcripts/_build_codings.py``
after editing a transcript or a passage; ``tests/test_sample_study.py`` checks the result.

A passage is ``(concept key, options, quote)``. By default every coder codes it with their own label for
the concept. Options, separated by spaces:

- ``<coder>=-``: that coder did not code the passage;
- ``<coder>=<key>``: that coder coded the passage with the label of another concept key.

Where a coder codes a passage of several sentences, they sometimes mark only some of those sentences,
and a coder sometimes leaves out the lead-in of a single sentence; which coder narrows which passage is
drawn from a random generator seeded by the passage, so the output is the same on every run.
"""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
CODERS = ("ana", "ben", "chloe")
NARROW_SENTENCES = 0.4  # chance that a coder marks only part of a passage of several sentences
DROP_LEAD_IN = 0.2  # chance that a coder skips the words before the first comma of a one-sentence passage
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

# concept -> (category, theme, harmonised code, definition)
CONCEPTS: dict[str, tuple[str, str, str, str]] = {
    "manual": ("methods", "Manual tuning", "manual tuning",
               "Hyperparameter values are changed by hand between runs, guided by the practitioner's judgement."),
    "grid": ("methods", "Exhaustive and random search", "grid search",
             "Every combination of a fixed set of values per hyperparameter is evaluated."),
    "random": ("methods", "Exhaustive and random search", "random search",
               "Configurations are drawn at random from ranges or distributions."),
    "bo": ("methods", "Model-based search", "Bayesian optimisation",
           "A surrogate model of past evaluations proposes the next configurations."),
    "bandit": ("methods", "Budget-aware automation", "early stopping methods",
               "Bandit and multi-fidelity schedules (successive halving, Hyperband) that stop weak runs early."),
    "automl": ("methods", "Budget-aware automation", "AutoML tools",
               "Tools that search over model families and their settings with little user input."),
    "performance": ("goals", "Model quality", "model performance",
                    "Improving the model's score on the metric that matters for the task."),
    "understanding": ("goals", "Model understanding", "model understanding",
                      "Learning how hyperparameters affect the model's behaviour."),
    "save_compute": ("goals", "Efficiency", "compute savings",
                     "Spending fewer compute hours or less money on the search."),
    "save_effort": ("goals", "Efficiency", "practitioner effort",
                    "Reducing the practitioner's own time and attention spent on tuning."),
    "reproducibility": ("goals", "Credibility", "reproducibility",
                        "Being able to rerun the search and the training and obtain the same result."),
    "credibility": ("goals", "Credibility", "convincing others",
                    "Satisfying reviewers, clients or managers, including a fair comparison with baselines."),
    "method_knowledge": ("contextual factors", "Own knowledge", "HPO method comprehension",
                         "How well the practitioner understands how a tuning method works and when to use it."),
    "experience": ("contextual factors", "Own knowledge", "personal experience",
                   "Good or bad experiences with a method in the practitioner's earlier projects."),
    "model_intuition": ("contextual factors", "Own knowledge", "ML model comprehension",
                        "The practitioner's ability to predict how a hyperparameter changes the model's behaviour."),
    "team_habits": ("contextual factors", "Social environment", "shared practices",
                    "What colleagues, supervisors or the team usually do or recommend."),
    "literature": ("contextual factors", "Social environment", "literature",
                   "Settings and methods taken from papers, benchmarks or documentation."),
    "contention": ("contextual factors", "Social environment", "tension for resources",
                   "Conflicts between colleagues over shared compute."),
    "deadline": ("contextual factors", "Project constraints", "deadlines",
                 "Fixed dates by which a model or a paper has to be ready."),
    "dataset_size": ("contextual factors", "Project constraints", "dataset size",
                     "How much (labelled) data the project has."),
    "compute_limit": ("contextual factors", "Technical environment", "available compute",
                      "The hardware, quota or money available for tuning."),
    "run_cost": ("contextual factors", "Technical environment", "cost of a training run",
                 "The time or compute that one evaluation of a configuration takes."),
    "space_size": ("contextual factors", "Technical environment", "search space size",
                   "The number of hyperparameters and values to be searched."),
    "tool_ready": ("contextual factors", "Technical environment", "setup readiness",
                   "Whether a tuning tool is already installed and integrated with the practitioner's setup."),
    "usability": ("contextual factors", "Technical environment", "tool usability",
                  "How easy a tuning tool is to configure, use and inspect."),
    "parallel": ("contextual factors", "Technical environment", "parallelisation",
                 "Whether many configurations can be evaluated at the same time."),
}

# key -> labels of (ana, ben, chloe); "concept/variant" keys are a coder's finer distinction of a concept
LABELS: dict[str, tuple[str, str, str]] = {
    "manual": ("manual tuning", "hand tuning", "trial-and-error adjustment"),
    "grid": ("grid search", "exhaustive grid", "cartesian sweep"),
    "grid/coarse": ("grid search", "exhaustive grid", "coarse-to-fine sweep"),
    "random": ("random search", "random sampling", "stochastic sweep"),
    "bo": ("Bayesian optimisation", "surrogate-model search", "model-based optimiser"),
    "bandit": ("early stopping of bad runs", "successive halving", "bandit pruning"),
    "automl": ("AutoML tool", "automated pipeline search", "AutoML"),
    "performance": ("better performance", "accuracy gains", "performance maximisation"),
    "understanding": ("understanding the model", "insight into hyperparameter effects", "learning model behaviour"),
    "save_compute": ("saving compute", "fewer wasted GPU hours", "computational economy"),
    "save_effort": ("less personal effort", "hands-off tuning", "effort reduction"),
    "reproducibility": ("reproducibility", "repeatable runs", "replicable setup"),
    "credibility": ("convincing reviewers", "reviewer expectations", "external legitimacy"),
    "credibility/fair": ("fair comparison", "reviewer expectations", "external legitimacy"),
    "method_knowledge": ("knowing how the method works", "familiarity with optimiser", "method literacy"),
    "experience": ("past experience", "prior project habits", "experiential knowledge"),
    "model_intuition": ("intuition about the model", "architecture knowledge", "model literacy"),
    "team_habits": ("team habits", "lab conventions", "peer influence"),
    "team_habits/advice": ("team habits", "colleague advice", "peer influence"),
    "literature": ("published recipes", "following the paper", "literature guidance"),
    "contention": ("sharing the cluster", "queue competition", "resource tension"),
    "deadline": ("deadline pressure", "time pressure", "schedule constraints"),
    "dataset_size": ("small dataset", "data volume", "data scale"),
    "compute_limit": ("limited compute", "GPU budget", "resource constraints"),
    "compute_limit/cloud": ("limited compute", "cloud bill", "resource constraints"),
    "run_cost": ("expensive training run", "long epochs", "evaluation cost"),
    "space_size": ("many hyperparameters", "dimensionality of search space", "search space size"),
    "tool_ready": ("tool already set up", "infrastructure readiness", "tooling availability"),
    "usability": ("tool usability", "library ergonomics", "ease of use of tools"),
    "parallel": ("parallel runs", "parallel workers", "parallelisability"),
}

SEGMENTS: dict[str, list[tuple[str, str, str]]] = {
    'P01': [
        ('manual', '', 'Mostly by hand, honestly. I would start a run in the evening, look at the loss curves and a few predicted masks the next morning, and then change one or two things.'),
        ('manual', 'ana=- chloe=-', 'I kept a little spreadsheet of what I changed and why.'),
        ('grid', '', "Once I had a setup I trusted, I ran a small grid over the learning rate and the batch size, three values each, so nine runs. That was more to check that I wasn't sitting on some lucky value than to find anything new."),
        ('run_cost', 'chloe=compute_limit', 'One training run took about fourteen hours, so every run was kind of precious.'),
        ('compute_limit', '', 'I only had one GPU that was really mine, an older card under my desk. If I had launched fifty configurations on it, I would have been waiting for weeks.'),
        ('model_intuition', '', 'I felt I had a decent feeling for what the network would do. If the masks came out too blobby, I knew the learning rate was probably too high, or the augmentation was too aggressive.'),
        ('understanding', '', 'When you change one thing at a time, you actually see which knob matters. I found out, for example, that the Dice weight mattered far more than the batch size, which I would not have guessed.'),
        ('performance', '', 'The main thing was segmentation quality, so the Dice score on the held-out plates. The biologists needed it to be good enough that they would not have to correct the masks by hand, and we were a few points short of that at the beginning.'),
        ('team_habits', '', 'In our group nobody really uses the fancy tools. My supervisor tunes by hand, the postdoc tunes by hand, so when I started I just did what they did.'),
        ('deadline', '', 'There was a workshop deadline in March and a collaboration meeting before that, where we had to show counts on real data. So I did not have the luxury of a long exploration phase.'),
        ('manual', 'ben=deadline', 'I needed something that worked by the end of February, and tuning by hand felt like the fastest path to a usable model.'),
        ('grid', 'ben=-', 'Maybe I would set up the grid earlier, just to have it running in the background while I do other things.'),
        ('compute_limit', '', "But with one card, the grid and my own experiments would have been fighting for the same GPU, so I'm not sure it would have helped."),
    ],
    'P02': [
        ('random', '', 'First I ran a random search with the scikit-learn wrapper, about two hundred draws over depth, learning rate, subsampling and the regularisation terms. That gave me a rough picture of where the good region was.'),
        ('bo', '', 'Then I switched to Optuna with its default sampler, which is a tree-structured Parzen estimator, so a Bayesian method, and let it refine around that region for another hundred trials or so.'),
        ('random', 'ben=- chloe=model_intuition', "With boosted trees I don't fully trust my own guesses about which parameter matters, and random search is honest about that, it just samples everything."),
        ('bo', '', 'The Bayesian part is good at squeezing out the last bit once you know roughly where to look.'),
        ('performance', '', 'And in credit risk, the last bit matters. Half a point of AUC translates into real money in avoided defaults, so my manager was very clear that performance was the priority.'),
        ('grid', 'ana=-', 'Not for the final model. I used small grids when I was starting out in this job, but with six or seven parameters a grid just explodes.'),
        ('compute_limit', '', 'We have a modest set of machines in our own data centre, no GPUs needed for trees. The constraint was more that the training jobs had to share the nodes with the nightly scoring jobs, so I had a window of maybe ten hours per night.'),
        ('run_cost', 'ana=- chloe=-', 'One training run on the full history takes around four minutes, so that window was enough for a few hundred trials.'),
        ('usability', '', 'Honestly, the interface. You write one objective function, you define the ranges inline, and it handles the rest. The dashboard shows you the optimisation history and which parameters were important, and that was enough for me to convince myself it was doing something sensible.'),
        ('usability', 'ben=-', 'I had tried another library a couple of years ago where you had to declare the whole search space in a separate configuration format, and it was painful.'),
        ('manual', '', 'Yes, the number of trees and the early stopping patience. I set those myself based on the validation curve, because they interact with the learning rate in a way I understand quite well.'),
        ('model_intuition', '', 'For boosted trees I know that a smaller learning rate needs more trees, so there is no point letting a search waste trials on that trade-off.'),
        ('team_habits', 'ana=-', 'Not a formal one. Two of my colleagues use Optuna as well, mostly because I showed it to them.'),
        ('deadline', '', 'There was a regulatory review scheduled, and the new model had to be validated and documented before it. That gave us roughly six weeks from first experiment to sign-off.'),
        ('random', 'ben=deadline', "So I couldn't afford a long academic exploration, I needed a search that runs overnight and gives a decent answer in the morning."),
    ],
    'P03': [
        ('literature', '', 'We started from the standard configuration in the original transformer paper and from a later paper that had worked specifically on low-resource settings. They recommend smaller models, more dropout, and a larger label smoothing value, so those were our starting points.'),
        ('grid', '', 'Then for the final experiments we ran a grid over dropout, the number of layers and the learning rate warm-up, three or four values each.'),
        ('credibility', '', 'Mainly because of reviewers, to be honest. In our community, if you report a grid, nobody asks questions. You write the values in a table in the appendix, and the reviewer sees that you tuned your baseline and your model with the same effort.'),
        ('credibility/fair', 'chloe=-', 'We had a review in an earlier submission where someone said our baseline was under-tuned, and I did not want that again.'),
        ('credibility/fair', '', 'The claim in the paper is that our method is better than the baseline. That claim only holds if both got the same treatment, and a grid makes that very easy to show.'),
        ('run_cost', '', 'Well, each model took about a day to train on one GPU, and with three language pairs the number of runs adds up fast.'),
        ('compute_limit', '', 'Our group has eight GPUs in total, and I could use maybe half of them for a few weeks. So the grid had to stay small, we could not put every parameter into it.'),
        ('manual', 'ben=model_intuition', 'The ones I felt confident about I fixed by hand after a couple of quick runs, like the batch size and the vocabulary size.'),
        ('literature', 'chloe=-', 'For the vocabulary size there was also a clear recommendation in the literature, so I just took it.'),
        ('understanding', 'ana=-', 'And I wanted the grid to tell me something, so I put in the parameters where I genuinely did not know the answer, like how deep the model should be for such small data.'),
        ('understanding', '', 'That depth mattered much less than dropout. The shallow models with strong dropout were as good as the deep ones, and that became one of the findings we discussed in the paper.'),
        ('performance', 'ben=-', 'Of course we wanted good BLEU scores, but we were not chasing a leaderboard.'),
        ('credibility', 'ana=performance', 'The bigger goal was a fair, believable comparison.'),
        ('deadline', 'chloe=-', 'And the submission deadline was close, so there was no time to learn a new tool properly.'),
    ],
    'P04': [
        ('bandit', '', 'We use Ray Tune with the asynchronous successive halving scheduler. So we start a lot of configurations, and after the first epoch or two the scheduler kills the ones that are clearly behind, and only the promising ones get to train longer.'),
        ('random', 'ben=-', 'The configurations themselves are just sampled at random from the ranges we defined.'),
        ('save_compute', '', 'Cost, mostly. If you train every configuration to the end, most of your money goes into models you already knew were bad after ten minutes. With early stopping, we cut the GPU hours for a tuning round by something like two thirds.'),
        ('compute_limit/cloud', '', 'Everything runs on rented cloud GPUs, and the finance team looks at that bill every month. When I joined, the first question my manager asked me was whether we could make tuning cheaper.'),
        ('compute_limit/cloud', 'ana=- chloe=-', "It's a soft constraint, but a real one. We have a monthly budget per team, and if the recommender uses all of it, the search team can't run their experiments."),
        ('performance', '', 'The offline metric is recall at twenty on a held-out week, and that is what the tuning optimises. If it goes up, it usually goes up online too, in click-through.'),
        ('grid', 'ana=- chloe=-', 'In the very first version we had a small grid over the embedding size and the learning rate.'),
        ('grid/coarse', 'ben=- chloe=bandit', 'It worked, but it was wasteful, every combination ran the full twelve epochs, even the ones where the loss was flat from the start.'),
        ('bo', '', 'I looked at adding a Bayesian sampler on top of the scheduler, but the gain in our tests was small, and it made the setup harder to explain to the rest of the team.'),
        ('usability', '', 'Ray Tune fits well with how we already train. You wrap the training function, you report the metric after each epoch, and the scheduler does the rest.'),
        ('usability', 'ana=- ben=-', 'The documentation had an example that was almost exactly our case, which helped a lot.'),
        ('run_cost', '', 'Yes. A full training run is about three hours on one GPU with our data volume, because we have around two hundred million interactions per week.'),
        ('bandit', 'ana=save_compute', "If one run took five minutes, I probably wouldn't bother with early stopping at all."),
        ('deadline', '', 'Not really for the tuning itself, since it runs every week anyway.'),
        ('team_habits', 'ana=-', 'The whole team uses the same Ray setup now, because I wrote the template.'),
    ],
    'P05': [
        ('manual', '', "Mostly I changed them by hand. I would run the training, look at the reward curve, and if it didn't go up I changed something and tried again."),
        ('literature', 'ana=- chloe=team_habits/advice', 'At first I used the default values from the library, because my supervisor said those are usually fine for PPO.'),
        ('method_knowledge', '', "I read about Bayesian optimisation, but to be honest I didn't really understand how it decides what to try next."),
        ('method_knowledge', 'ben=-', "And I didn't want to use something where I can't explain to my examiner why it chose these values."),
        ('manual', 'ben=-', 'If I tuned it by hand, I can say, I changed the entropy coefficient because the agent stopped exploring.'),
        ('experience', '', 'In a course last year we did a grid search in a homework, with a small neural network on some tabular data. It worked okay, but it took forever, and I remember being annoyed that most runs were useless.'),
        ('experience', 'ana=- chloe=-', 'So I had this feeling that automatic search is slow.'),
        ('compute_limit', '', 'My laptop, and one GPU in the lab that I share with two other students.'),
        ('run_cost', '', 'One training run is around six hours in simulation, so I can do maybe three or four per day if nobody else is using the GPU.'),
        ('performance', '', 'First of all that the arm actually picks up the objects. The success rate was around forty percent at the beginning, and I wanted at least eighty for the thesis.'),
        ('understanding', 'ben=-', "And I also wanted to understand which parameters matter for this task, because that's kind of a result by itself."),
        ('save_effort', '', 'Actually yes. Setting up a tuning library, learning the configuration, connecting it to the simulator, that would have been maybe a week of work.'),
        ('save_effort', 'ben=- chloe=manual', 'With hand tuning I could just start immediately.'),
        ('team_habits/advice', '', 'The PhD student who sits next to me said just tune by hand, everybody does it for PPO.'),
        ('team_habits', 'ben=-', "And that's also what I saw in the lab meetings, nobody presented a big automated search."),
        ('deadline', '', 'Yes, I have to submit in four months, and I still need to write everything.'),
    ],
    'P06': [
        ('random', '', 'We used random search through the sweep feature of our experiment tracker. I defined ranges for learning rate, batch size, warm-up steps, weight decay, number of epochs and the maximum sequence length, and it sampled about sixty configurations.'),
        ('space_size', '', 'Because there were six parameters, and a grid over six parameters is just not possible. Even with three values each you are at over seven hundred runs.'),
        ('random', 'ana=- chloe=space_size', 'With random search you cover all six dimensions at least a bit, and you can stop whenever you run out of time.'),
        ('bo', 'ana=-', 'The tracker offers a Bayesian option, and I tried it once.'),
        ('reproducibility', '', "The problem was that I couldn't easily reproduce which configurations it would propose, and we have a requirement that every model we deploy can be retrained and give the same result."),
        ('reproducibility', '', 'From our compliance people, partly. Support tickets contain personal data, and if a customer complains about how their ticket was handled, we need to be able to show exactly which model version and which training run was involved.'),
        ('reproducibility', 'ben=- chloe=-', 'So we fix seeds, we log every configuration, and the random search itself is seeded too.'),
        ('performance', '', 'The main metric is macro F1 over the queues, because some small queues matter a lot, like fraud reports.'),
        ('performance', 'ana=- ben=-', 'Before tuning we were at about seventy-eight, after tuning about eighty-two.'),
        ('run_cost', 'ben=-', 'About forty minutes on one GPU.'),
        ('compute_limit/cloud', '', 'We rent the GPUs from a cloud provider, and my team lead set a limit of roughly a hundred GPU hours for the whole tuning phase.'),
        ('deadline', '', 'Yes, the new routing was supposed to go live together with a redesign of the help centre, and that date was fixed months in advance.'),
        ('deadline', 'chloe=-', 'I had about two weeks for the whole experiment phase.'),
        ('manual', '', 'The sequence length I eventually fixed by hand, because I looked at the tickets and saw that almost all of them fit into two hundred and fifty-six tokens.'),
        ('model_intuition', 'ana=- ben=manual', "That's domain knowledge, not something the search would figure out efficiently."),
        ('usability', '', "It's convenient. You write a small configuration file with the ranges, you start agents on the machines, and the results show up in a dashboard with parallel coordinates."),
        ('usability', 'ana=- chloe=-', 'That made it easy to show the results to my team lead.'),
    ],
    'P07': [
        ('dataset_size', '', "It affected everything. With four hundred patients and only sixty events, you can't hold out a big test set, and every split gives you a slightly different answer."),
        ('dataset_size', 'ben=- chloe=-', 'So we used nested cross-validation, five outer folds and five inner folds.'),
        ('grid', '', 'Yes. We compared logistic regression, a random forest and gradient boosting, and for each of them there was a grid in the inner loop.'),
        ('tool_ready', '', 'We used the grid search class from scikit-learn, because it was already there and it works directly with the cross-validation objects.'),
        ('tool_ready', 'ana=- chloe=usability', "It was the default in the sense that it's the first thing in the scikit-learn tutorial, and our whole pipeline was already in scikit-learn."),
        ('credibility/fair', '', "But it was also deliberate, because I wanted to give each model the same tuning budget. If the forest gets a fancy search and the regression gets nothing, the comparison isn't fair."),
        ('credibility', 'ana=- ben=-', 'Because the clinicians were sceptical. They wanted to know whether the complex models are really better than the simple score they use now.'),
        ('credibility/fair', 'ben=-', 'And the honest answer was, not by much, but we could only say that because the tuning was equal.'),
        ('dataset_size', 'ben=save_compute', 'Yes, in a way it made things easy. Training a forest on four hundred rows takes a second, so the grid was cheap, even with twenty-five folds.'),
        ('run_cost', 'chloe=-', 'If each fit had taken an hour, I would have thought much harder about it.'),
        ('method_knowledge', '', "I did read about it. But I felt it was a black box for me, and I didn't want to explain to a clinical journal a method I can't explain to myself."),
        ('method_knowledge', 'chloe=-', 'With a grid, anyone can look at the table and see exactly what was tried.'),
        ('reproducibility', '', 'That was important. The journal required the code, and I wanted somebody else to be able to rerun it and get exactly the same numbers.'),
        ('reproducibility', 'ana=- chloe=grid', 'A grid has no randomness in which points are evaluated, so that part at least is deterministic.'),
        ('literature', 'chloe=-', 'For the forest I took ranges from a benchmark paper on clinical prediction models.'),
        ('grid/coarse', 'ana=- ben=-', 'For boosting I did a rough grid first and then a finer one around the best region, which I guess is a little bit manual as well.'),
        ('team_habits', '', 'Our group is mostly statisticians, and they are used to pre-specifying everything.'),
        ('team_habits', 'ana=-', 'So a fixed grid, written down before looking at the test folds, fit well with the culture.'),
    ],
    'P08': [
        ('automl', '', 'I used the AutoML feature of our cloud data platform. You point it at a table, tell it which column is the target and which metric you care about, and it tries different model types and settings on its own.'),
        ('automl', 'ana=-', 'After about three hours it gave me a leaderboard, and the best model was a gradient-boosting model.'),
        ('method_knowledge', '', "Honestly, because I'm not a machine learning specialist. I studied economics, I know statistics and SQL, but I wouldn't know which hyperparameters of a boosting model to touch."),
        ('save_effort', '', 'The AutoML tool meant I could focus on the data, which I understand, and let the tool worry about the model.'),
        ('tool_ready', '', "Almost none. The feature was already enabled in our platform, our data was already there, I didn't have to install anything or ask anyone for access."),
        ('tool_ready', 'chloe=-', 'If I had needed to set up a server or a Python environment, I probably would have asked someone else to do the project.'),
        ('usability', '', "It's very easy. There's a wizard with maybe five steps, and the results page explains which features were most important."),
        ('usability', 'ben=- chloe=-', "The only thing that annoyed me was that you can't see exactly what it tried, it only shows the best few models."),
        ('performance', '', 'We wanted to beat the current rule-based list, which flags customers with more than two complaints. The AutoML model found about twice as many of the actual churners in the top ten percent.'),
        ('manual', 'ana=- ben=-', 'A little bit. I changed the class weights by hand because the marketing team wanted fewer false alarms.'),
        ('manual', 'chloe=-', 'That was a kind of manual adjustment, I guess, but more about the business threshold than the model.'),
        ('deadline', '', 'Yes, the retention campaign for the new year was planned, and marketing needed the list by early December.'),
        ('save_effort', 'ana=deadline', 'So I had maybe three weeks in total, including getting the data together, and the AutoML part saved me a lot of that time.'),
        ('credibility', 'ben=-', 'My manager liked that the tool is from a big vendor. It was easier to convince the marketing director that the model is trustworthy when I could say it was built with the standard platform tool.'),
        ('team_habits', 'chloe=-', 'In our team, most people use the platform tools for everything, so it fit in.'),
        ('dataset_size', 'ana=-', 'Not really, we have about two million customers, so there was plenty of data.'),
        ('compute_limit/cloud', 'chloe=-', 'The platform charges by compute hour, though, so I stopped the search after three hours.'),
    ],
    'P09': [
        ('manual', '', "For the pretraining, by hand. A pretraining run takes about five days on eight GPUs, so you can't search, you make an educated choice and you live with it."),
        ('bandit', '', 'For the fine-tuning I used Hyperband, because there you can afford to start many configurations and throw most of them away early.'),
        ('experience', '', 'Mostly from my own earlier projects. I had pretrained similar models on aerial photos before, and I knew roughly which learning rate and which augmentation strength work.'),
        ('literature', 'ana=- chloe=-', 'And I checked the values against two or three papers that did something similar.'),
        ('run_cost', '', 'With five days per run, even ten runs is fifty days of the cluster.'),
        ('contention', '', 'And the cluster is shared by four groups. If I had blocked eight GPUs for two months, I would have had some very unpleasant conversations in the corridor.'),
        ('contention', '', "Oh yes. We have a booking calendar, and before conference deadlines it's basically a fight. People watch the queue and complain on the group chat when someone runs too many jobs."),
        ('contention', 'ben=- chloe=team_habits', "So there's a social pressure to keep your experiments small."),
        ('save_compute', '', "Because it's the most efficient way I know to use a fixed budget. Most bad configurations are obviously bad after one or two epochs, so there's no point training them to the end."),
        ('experience', '', "I used it in my master's thesis, and my experience was not great. It spent a lot of trials in one corner of the space and I had the feeling it got stuck."),
        ('bo', 'chloe=-', "It's probably better now, and maybe I configured it badly, but that experience stayed with me."),
        ('performance', '', "For the fine-tuning, clearly accuracy on the land-cover benchmark, because that's the number that goes into the paper."),
        ('understanding', 'ben=-', 'For the pretraining, it was more about understanding. I wanted to know whether the augmentation strength matters as much for satellite images as for natural images.'),
        ('understanding', 'ana=-', 'Less than I expected, actually. Strong colour jitter even hurt, which makes sense, because colour carries real information in satellite data.'),
        ('compute_limit', '', 'We have sixty-four GPUs in the group cluster, and my share over the project was maybe a quarter of that.'),
        ('compute_limit', 'ana=- chloe=contention', "It sounds like a lot, but for pretraining it's tight."),
        ('team_habits', '', "It's quite mixed. The senior people tune by hand and trust their intuition, and the younger ones like me use Hyperband or random search for anything that is cheap enough."),
        ('deadline', 'ben=- chloe=-', 'The paper was aimed at a conference deadline, and the final fine-tuning runs finished two days before it.'),
    ],
    'P10': [
        ('bo', '', 'We use Bayesian optimisation, with a Gaussian process surrogate from an open-source library.'),
        ('random', '', 'Before that we always ran a random search as a baseline, and we still do that once a year to check that the Bayesian search is actually earning its keep.'),
        ('run_cost', '', 'Because one evaluation is expensive. To evaluate a configuration honestly, we backtest it over twelve weeks of history, and that takes about two hours on our cluster.'),
        ('bo', 'ana=- chloe=save_compute', 'With Bayesian optimisation we need around sixty evaluations to get where random search gets in two hundred.'),
        ('parallel', '', "That's actually the key point. We run eight workers in parallel, and the library proposes a batch of eight points at a time."),
        ('parallel', '', 'Because the tuning has to finish over a weekend.'),
        ('deadline', 'ana=- chloe=parallel', 'If it ran sequentially, sixty evaluations at two hours each would be five days, and the new model must be ready on Monday.'),
        ('space_size', '', 'We tune nine hyperparameters, including the number of leaves, the learning rate, several regularisation terms and the lag window.'),
        ('performance', '', 'The weighted absolute percentage error over all products, weighted by revenue.'),
        ('performance', 'ben=- chloe=-', "A small improvement there means less waste of fresh food, so it's real money and real waste."),
        ('manual', 'ben=-', 'The feature set is decided by hand, and a couple of parameters like the forecast horizon are fixed by the business.'),
        ('model_intuition', 'ana=-', 'I also constrain the ranges by hand, because I know from experience which values make no sense for this kind of data.'),
        ('tool_ready', '', 'We have an internal platform where the training jobs already run, with data access and logging.'),
        ('reproducibility', '', 'Yes, we store the full history of evaluated points, so we can always explain why a configuration was chosen.'),
        ('reproducibility', 'chloe=-', "Auditors don't ask about it often, but the finance people do like to see that the forecast model didn't just appear from nowhere."),
        ('experience', '', 'Yes, in my previous job I used Bayesian optimisation for pricing models and it worked well.'),
        ('save_effort', '', 'It frees me up. I start the search on Friday, and on Monday I look at the results instead of babysitting runs all week.'),
    ],
    'P11': [
        ('random', '', 'We used random search, about forty configurations, over learning rate, dropout, batch size and the number of epochs.'),
        ('team_habits', '', "That's actually a rule in my group. Every student runs a random search for their final model, with a fixed number of trials that we agree on at the start."),
        ('method_knowledge', '', 'Because everyone understands it. A first-year student can implement it in an afternoon, and they can explain it in their thesis in one sentence.'),
        ('method_knowledge', 'ben=- chloe=-', "With Bayesian optimisation, I have seen students use it without knowing what the acquisition function does, and then they can't answer questions about it."),
        ('credibility/fair', '', 'Yes, that is for fairness. If we compare our model to a baseline, both get exactly the same number of trials.'),
        ('credibility', 'ana=- chloe=credibility/fair', 'Reviewers in our area have become quite strict about that, and rightly so.'),
        ('reproducibility', '', 'Very much. We publish the code, the search ranges, the seeds and the full table of results, so that anybody can rerun the search.'),
        ('reproducibility', 'ana=-', "A surprising number of papers in our field cannot be reproduced, and I don't want my group to add to that."),
        ('compute_limit', '', "We have a small cluster with sixteen GPUs for ten people. That's not much for fine-tuning language models."),
        ('contention', '', 'Before deadlines, there are always tensions about who gets the GPUs, and I sometimes have to decide who goes first.'),
        ('contention', 'ana=- ben=-', 'Fixing the number of trials in advance also helps with that, because everyone knows how much they will use.'),
        ('manual', '', 'The early exploration, yes. Students play around by hand to get a feeling for the model before the final search.'),
        ('understanding', 'chloe=-', 'I actually encourage that, because they learn much more about the model that way than from looking at a search result.'),
        ('bo', 'ben=-', 'One of my former students used Bayesian optimisation in a project with very long training runs, and it worked fine.'),
        ('experience', 'ana=- chloe=-', "But it didn't change my general view that for most of our work random search is good enough."),
        ('literature', '', 'Quite a lot. There is a well-known paper showing that random search beats grid search when only a few parameters really matter, and I usually point my students to it.'),
        ('grid', 'ana=- ben=-', 'So grids are basically discouraged in the group.'),
        ('performance', '', 'To improve the F1 score over the previous state of the art on the benchmark, which we did by about two points.'),
    ],
    'P12': [
        ('manual', '', 'At first completely by hand. I started from a pretrained detector and changed the learning rate and the image size until the validation loss looked reasonable.'),
        ('random', '', 'Later, when we got a bit more budget, I ran a random search over the augmentations, maybe thirty runs.'),
        ('compute_limit/cloud', '', 'Money, basically. We are eight people, and every cloud GPU hour shows up on the bill that our CEO looks at every week.'),
        ('compute_limit', 'ben=- chloe=-', 'I had one rented GPU for development, and that was it.'),
        ('random', 'ben=-', 'We got a small grant for cloud credits, so suddenly I could run things in parallel for a few days.'),
        ('experience', 'ana=- chloe=-', 'I had used random search in a course at university, so it was the obvious choice for me.'),
        ('method_knowledge', 'ben=-', "I looked at a Bayesian tuning library, but I didn't really understand how to set up the search space properly."),
        ('usability', '', 'The documentation assumed that you already know what you are doing, and the examples were all on toy datasets.'),
        ('performance', '', 'The customer wants us to catch at least ninety-five percent of the defective products without stopping the line too often.'),
        ('performance', 'ana=-', 'So recall on the defect class was the main number.'),
        ('dataset_size', '', 'Yes, we only had about two thousand labelled images of defects, because defects are rare.'),
        ('dataset_size', 'ana=- chloe=understanding', 'With so little data, some augmentation settings made a huge difference and others did nothing.'),
        ('deadline', '', 'Always. We had a pilot with a new customer starting in three weeks, and the model had to be good enough by then.'),
        ('save_effort', 'ana=- ben=-', "The random search was nice because it ran over the weekend and I didn't have to sit next to it."),
        ('model_intuition', '', "Honestly, not that much yet. I'm still learning which settings matter for detection models."),
        ('team_habits/advice', 'chloe=-', "I ask a friend who works at a bigger company when I'm stuck, and she told me to start with the augmentations."),
        ('tool_ready', 'ana=-', 'Our training code is based on an open-source detection framework, and it already had a config system, so adding the random search was mostly a small script.'),
    ],
    'P13': [
        ('bo', '', "With Bayesian optimisation, using our company's internal tuning service, which wraps an open-source Bayesian library."),
        ('bandit', '', 'We combine it with early stopping, so a trial that is clearly behind after the first pass over the data gets cancelled.'),
        ('run_cost', '', 'A single training run takes about eighteen hours on a full node, so each trial is very expensive.'),
        ('save_compute', '', "When every trial costs that much, you want a method that learns from previous trials and doesn't waste evaluations. That's exactly what Bayesian optimisation is good at."),
        ('parallel', '', 'About one hundred and twenty, with sixteen running in parallel at any time.'),
        ('space_size', '', 'Fourteen hyperparameters, including the embedding dimensions for the main feature groups, the learning rates for the dense and sparse parts, and the dropout.'),
        ('experience', '', "Definitely. In my PhD I worked on Bayesian optimisation myself, so I'm comfortable with it and I know its failure modes."),
        ('method_knowledge', 'ben=- chloe=experience', 'For example, I know that it can be too greedy with a small initial design, so I always start with about twenty random points.'),
        ('tool_ready', '', "It's very convenient because it's already integrated with our training infrastructure."),
        ('usability', 'ana=- chloe=tool_ready', 'You add a few lines to the training config, and it appears in the dashboard.'),
        ('usability', '', "The weak point is that the interface hides a lot of details, so when something goes wrong, it's hard to see why."),
        ('performance', '', 'The offline metric is a ranking metric, a normalised discounted gain, computed on a held-out week of viewing data.'),
        ('manual', 'ben=- chloe=-', 'The architecture is set by hand, and so is the batch size, because that depends on the hardware.'),
        ('model_intuition', 'chloe=-', 'I also know from earlier quarters which parameters barely change, so I leave them out of the search.'),
        ('compute_limit', '', 'We have a quarterly compute quota per team.'),
        ('compute_limit', 'ana=- ben=contention', "The tuning for this model takes a large part of it, so other projects have to wait, and that's sometimes a discussion with my manager."),
        ('team_habits', '', "Most teams use the same tuning service, it's basically the company standard."),
    ],
    'P14': [
        ('grid', '', 'I used a grid search over the learning rate and the number of frozen layers, four values each, so sixteen runs.'),
        ('manual', 'ben=-', 'Before that I did some manual tests to make sure the training runs at all, but the final values came from the grid.'),
        ('dataset_size', 'ana=- ben=-', "So the data was precious, and I didn't want to spend too much of it on validation."),
        ('literature', '', 'The paper we built on reported a grid over exactly these two parameters, so I just followed their setup.'),
        ('credibility', 'ana=- ben=literature', 'I thought if I do the same as them, nobody can say I did it wrong.'),
        ('method_knowledge', '', "I knew the names, random search, Bayesian optimisation, but I didn't really know how they work or when to use which one."),
        ('method_knowledge', 'chloe=-', 'A grid I could understand completely, so it felt safe.'),
        ('team_habits/advice', '', 'My supervisor said a small grid is fine for a first paper, and the postdoc in our group gave me her scripts.'),
        ('team_habits', 'ben=-', 'Everyone in the group uses grids, so there was no reason to do something different.'),
        ('run_cost', '', 'About ten hours each on one GPU.'),
        ('compute_limit', '', "We have access to the university's computing centre, but there's a limit per project, and we had already used a lot of it for data preprocessing."),
        ('deadline', '', 'Yes, the workshop deadline was in six weeks when I started the experiments.'),
        ('deadline', 'ana=- chloe=-', 'So sixteen runs of ten hours was about what I could fit, with some buffer for mistakes.'),
        ('performance', '', 'Lower word error rate, obviously. We started at around thirty-five percent and ended at about twenty-eight.'),
        ('understanding', 'ben=-', 'I also wanted to see how many layers you need to unfreeze for a dialect, because that could be useful for other dialects later.'),
        ('random', 'chloe=-', 'Maybe I would try random search next time, because I read that it covers the space better.'),
        ('experience', 'ana=- ben=-', "But the grid worked for this project, so I'm not in a hurry to change."),
    ],
    'P15': [
        ('automl', '', 'We use an open-source AutoML framework for the biweekly retraining. It searches over a few model families and their settings automatically.'),
        ('bandit', '', 'Internally it uses successive halving, so it starts many candidates on a small sample of the data and only keeps the best ones for the full data.'),
        ('save_effort', '', 'Because the retraining has to run without a data scientist sitting next to it.'),
        ('save_effort', 'ana=- chloe=automl', 'Every two weeks, a pipeline pulls the new data, runs the search, and produces a candidate model, and a person only reviews the result.'),
        ('dataset_size', '', 'Large. About three hundred million transactions in the training window, with a fraud rate well below one percent.'),
        ('save_compute', 'ben=- chloe=-', "That's why the halving matters. Training each candidate on the full data would be far too expensive."),
        ('tool_ready', '', 'On our Kubernetes cluster, where the framework was already packaged as a container by the platform team.'),
        ('parallel', '', 'It runs twenty workers in parallel, so the whole search finishes in about five hours.'),
        ('reproducibility', '', 'Regulators can ask us why a transaction was blocked, so we need to be able to rebuild any model we ever deployed.'),
        ('reproducibility', 'chloe=-', 'We pin the framework version and store the random seeds and the full search log with every model.'),
        ('usability', '', "It's fine for standard cases, but it's hard to customise."),
        ('usability', 'ben=- chloe=-', 'When we wanted to add our own cost-sensitive metric, we had to dig through the source code for two days.'),
        ('performance', '', "A weighted metric that combines caught fraud amount and the number of false declines, because declining a good customer's card is expensive too."),
        ('random', 'ana=- ben=-', 'Yes, at the start we ran a plain random search with the same budget as a sanity check.'),
        ('automl', 'chloe=-', 'The framework was slightly better and much less work to maintain.'),
        ('manual', 'ben=-', 'The feature engineering, and the decision threshold, which the fraud analysts set by hand.'),
        ('team_habits/advice', '', 'A colleague had used the same framework at her previous company and recommended it.'),
        ('experience', 'ana=- chloe=team_habits/advice', 'I had no experience with it myself, but her results convinced me.'),
        ('compute_limit', 'ana=-', 'Not strongly. We have our own cluster, and the retraining runs at night when the cluster is quiet.'),
    ],
    'P16': [
        ('random', '', 'I ran a random search, about fifty configurations, over the learning rate, the discount factor, the network width and the exploration schedule.'),
        ('reproducibility', '', 'And for each configuration I ran five random seeds, because in reinforcement learning a single seed tells you almost nothing.'),
        ('random', 'ben=- chloe=method_knowledge', "It's simple, and it's easy to run many jobs at once."),
        ('experience', '', "In my first project I used a grid, and I noticed afterwards that two of the four parameters in the grid didn't matter at all, so most of the runs were wasted."),
        ('experience', 'ana=- chloe=-', 'Since then I prefer random search.'),
        ('reproducibility', 'ana=- chloe=-', 'Results in our field are very noisy.'),
        ('credibility', '', 'Reviewers have become much more critical about single-seed results, and I wanted the paper to hold up against that.'),
        ('reproducibility', 'ben=-', 'I also release all configurations and seeds, so others can check my numbers.'),
        ('compute_limit', '', 'Fifty configurations times five seeds is two hundred and fifty runs, each several hours on a CPU node.'),
        ('compute_limit', 'ana=- ben=-', 'Our group has a share on the university cluster, and I used most of it for two months.'),
        ('contention', '', 'A bit, yes. Some colleagues were not happy that my jobs filled the queue, and we had to agree on a schedule.'),
        ('bandit', '', 'I tried Hyperband for a while.'),
        ('bandit', 'ben=- chloe=understanding', 'The problem is that in reinforcement learning, a run that looks bad early can still become the best one later, so stopping early can throw away good configurations.'),
        ('performance', '', 'Reducing the average waiting time in the simulator, compared with the fixed-time plans the city uses now.'),
        ('understanding', '', "And understanding which parameters matter for this kind of problem, so that others don't need to tune everything again."),
        ('manual', '', 'At the beginning, a few quick runs by hand to get the reward scale right.'),
        ('model_intuition', 'ben=-', 'Without a sensible reward scale the agent learns nothing, and no search method would fix that.'),
        ('deadline', 'ben=- chloe=-', 'There was a conference deadline, but I planned the search early, so it was not too stressful.'),
    ],
}


def concept_of(key: str) -> str:
    """The harmonised concept a label key belongs to (``"grid/coarse"`` -> ``"grid"``)."""
    return key.split("/", 1)[0]


def label(key: str, coder: str) -> str:
    """The raw code ``coder`` uses for the label key ``key``."""
    return LABELS[key][CODERS.index(coder)]


def parse_options(options: str) -> dict[str, str | None]:
    """``"ana=- ben=deadline"`` -> ``{"ana": None, "ben": "deadline"}`` (None: not coded)."""
    parsed: dict[str, str | None] = {}
    for option in options.split():
        coder, value = option.split("=", 1)
        if coder not in CODERS or (value != "-" and value not in LABELS):
            raise ValueError(f"bad option {option!r}")
        parsed[coder] = None if value == "-" else value
    return parsed


def coder_span(quote: str, rng: random.Random) -> str:
    """The part of ``quote`` one coder marks: all of it, some of its sentences, or it minus a lead-in."""
    sentences = _SENTENCE_END.split(quote)
    if len(sentences) > 1 and rng.random() < NARROW_SENTENCES:
        first = rng.randrange(len(sentences))
        last = rng.randrange(first, len(sentences))
        return " ".join(sentences[first : last + 1])
    head, comma, tail = quote.partition(", ")
    if len(sentences) == 1 and comma and len(tail.split()) >= 6 and rng.random() < DROP_LEAD_IN:
        return tail
    return quote


def codings() -> dict[str, list[tuple[str, str, str]]]:
    """Each coder's ``(transcript, raw code, quote)`` rows in transcript and passage order."""
    rows: dict[str, list[tuple[str, str, str]]] = {coder: [] for coder in CODERS}
    for transcript, passages in SEGMENTS.items():
        for index, (key, options, quote) in enumerate(passages):
            overrides = parse_options(options)
            for coder in CODERS:
                if coder not in overrides:
                    rng = random.Random(f"{transcript}:{index}:{coder}")
                    rows[coder].append((transcript, label(key, coder), coder_span(quote, rng)))
                elif overrides[coder] is not None:
                    rows[coder].append((transcript, label(overrides[coder], coder), quote))
    return rows


def codebook_rows() -> list[tuple[str, str, str, str, str, str]]:
    """``(category, theme, code, definition, coder, raw code)`` for every raw code of every coder."""
    rows = []
    for concept, (category, theme, code, definition) in CONCEPTS.items():
        for coder in CODERS:
            raw = {label(key, coder) for key in LABELS if concept_of(key) == concept}
            rows += [(category, theme, code, definition, coder, r) for r in sorted(raw)]
    return rows


def write_csv(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """Write ``rows`` under ``header`` as UTF-8 CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_codings(folder: Path = HERE) -> None:
    """Write ``codings/ana.csv``, ``codings/ben.csv``, ``codings/chloe.csv`` and ``codebook.csv`` under ``folder``."""
    for coder, rows in codings().items():
        write_csv(folder / "codings" / f"{coder}.csv", ("transcript", "coder", "code", "quote"),
                  [(transcript, coder, code, quote) for transcript, code, quote in rows])
    write_csv(folder / "codebook.csv", ("category", "theme", "code", "definition", "coder", "raw_code"),
              codebook_rows())


if __name__ == "__main__":
    write_codings()
