# Reference values for tests/its/effects_test.cpp (R 4.2.2, MASS 7.3.58.2): effects of the
# Barking & Dagenham interruption (2016-12) under glm.nb with offset log(calls), by R's predict()
# and the delta method by hand. Run from the repository root: Rscript tests/reference/its_effects_reference.R
d<-read.csv("examples/data/london_bcu.csv"); b<-d[d$borough=="Barking & Dagenham",]; b<-b[order(b$month),]
b$t<-0:71; b$after<-as.numeric(b$month>="2016-12"); b$since<-pmax(0,b$t-b$t[b$month=="2016-12"])
f<-MASS::glm.nb(complaints ~ offset(log(calls)) + t + after + since, data=b)
V<-vcov(f); cf<-coef(f)
# effect at k = 6: level + 6 slope, delta SE
c6<-c(0,0,1,6); cat(sprintf("effect6 %.17g %.17g\n", sum(c6*cf), sqrt(t(c6)%*%V%*%c6)))
# counterfactual at 2017-06 (k=6): predict with after=0, since=0, se.fit on link
nd<-b[b$month=="2017-06",]; nd$after<-0; nd$since<-0
p<-predict(f, newdata=nd, type="link", se.fit=TRUE); cat(sprintf("cf2017-06 %.17g %.17g\n", exp(p$fit), p$se.fit))
# window 2016-12..2017-11: cumulative sum(mu - mu_cf), delta gradient
w<-b$month>="2016-12" & b$month<="2017-11"; X<-model.matrix(f)[w,]; Xc<-X; Xc[,"after"]<-0; Xc[,"since"]<-0
off<-log(b$calls[w]); mu<-exp(X%*%cf+off); mc<-exp(Xc%*%cf+off)
g<-colSums(as.vector(mu)*X - as.vector(mc)*Xc); cat(sprintf("cum %.17g %.17g\n", sum(mu-mc), sqrt(t(g)%*%V%*%g)))
cat(sprintf("avg %.17g %.17g\n", mean(mu-mc), sqrt(t(g/12)%*%V%*%(g/12))))
